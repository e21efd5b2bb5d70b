# Makes a copy of jemalloc's static library that does not replace the
# process's malloc: every public symbol (malloc, free, realloc, mallocx...)
# renamed celos_je_NAME, and the C++ operators (jemalloc_cpp) left out. Its
# own calls to malloc and free are renamed with it, so it calls itself.
#   cmake -DINPUT=libjemalloc_pic.a -DOUTPUT=... -DNM=nm -DOBJCOPY=objcopy -DAR=ar -P prefix_jemalloc.cmake
cmake_minimum_required(VERSION 3.25)
get_filename_component(work ${OUTPUT} DIRECTORY)
set(copy ${OUTPUT}.tmp.a)
file(COPY_FILE ${INPUT} ${copy})
execute_process(COMMAND ${AR} d ${copy} jemalloc_cpp.pic.o COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${NM} -g --defined-only ${copy} OUTPUT_VARIABLE listing ERROR_QUIET COMMAND_ERROR_IS_FATAL ANY)
string(REGEX MATCHALL "[0-9a-f]+ [A-Za-z] [^\n]+" entries "${listing}")
set(map "")
set(seen "")
foreach(entry ${entries})
  string(REGEX REPLACE "^[0-9a-f]+ [A-Za-z] " "" name "${entry}")
  if(name MATCHES "^je_" OR name IN_LIST seen)
    continue()
  endif()
  list(APPEND seen ${name})
  string(APPEND map "${name} celos_je_${name}\n")
endforeach()
if(NOT "malloc" IN_LIST seen)
  message(FATAL_ERROR "${INPUT} does not define malloc: not the jemalloc this expects")
endif()
file(WRITE ${work}/jemalloc_celos.map "${map}")
execute_process(COMMAND ${OBJCOPY} --redefine-syms=${work}/jemalloc_celos.map ${copy} ${OUTPUT}
                COMMAND_ERROR_IS_FATAL ANY)
file(REMOVE ${copy})
