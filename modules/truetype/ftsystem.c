/* CelOS's replacement for FreeType's src/base/ftsystem.c: FT_Memory on the
   kernel heap (kmalloc, krealloc, kfree from <celos/heap.h>), and no file
   streams. Fonts come from boot files in memory (FT_New_Memory_Face, whose
   stream FreeType's own FT_Stream_OpenMemory sets up); FT_Stream_Open, which
   opens a path, always fails. */
#include <ft2build.h>
#include FT_CONFIG_CONFIG_H
#include <freetype/internal/ftdebug.h>
#include <freetype/internal/ftobjs.h>
#include <freetype/internal/ftstream.h>
#include <freetype/ftsystem.h>
#include <freetype/fterrors.h>
#include <freetype/fttypes.h>

#include <celos/heap.h>

static void* celos_ft_alloc(FT_Memory memory, long size) {
    (void)memory;
    return kmalloc((size_t)size);
}

static void* celos_ft_realloc(FT_Memory memory, long cur_size, long new_size, void* block) {
    (void)memory;
    (void)cur_size;
    return krealloc(block, (size_t)new_size);
}

static void celos_ft_free(FT_Memory memory, void* block) {
    (void)memory;
    kfree(block);
}

FT_BASE_DEF(FT_Error)
FT_Stream_Open(FT_Stream stream, const char* filepathname) {
    (void)filepathname;
    if (!stream)
        return FT_THROW(Invalid_Stream_Handle);
    stream->descriptor.pointer = NULL;
    stream->pathname.pointer = NULL;
    stream->base = NULL;
    stream->size = 0;
    stream->pos = 0;
    stream->read = NULL;
    stream->close = NULL;
    return FT_THROW(Cannot_Open_Resource);
}

FT_BASE_DEF(FT_Memory)
FT_New_Memory(void) {
    FT_Memory memory = (FT_Memory)kmalloc(sizeof *memory);
    if (memory) {
        memory->user = NULL;
        memory->alloc = celos_ft_alloc;
        memory->realloc = celos_ft_realloc;
        memory->free = celos_ft_free;
    }
    return memory;
}

FT_BASE_DEF(void)
FT_Done_Memory(FT_Memory memory) {
    kfree(memory);
}
