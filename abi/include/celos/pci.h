/* PCI devices (ABI 1.4): enumeration, configuration space, BARs and their
   mappings. The core scans the buses once (configuration mechanism #1,
   ports 0xCF8/0xCFC) and checks what it decodes: a BAR of size zero, one
   past the address space or over RAM or the core is refused with a log line
   naming the device and the check. A mapping is a resource of the calling
   module, unmapped when it goes. */
#ifndef CELOS_PCI_H
#define CELOS_PCI_H

#include <celos/cdefs.h>
#include <celos/status.h>

#define CELOS_PCI_ANY 0xFFFFu

struct celos_pci_device {
    uint8_t bus, slot, function;
    uint8_t header_type;
    uint16_t vendor_id, device_id;
    uint8_t class_code, subclass, prog_if, revision;
    uint16_t subsystem_vendor, subsystem_id;
    uint8_t interrupt_line;
    uint8_t reserved[3];
};

#define CELOS_PCI_BAR_MEMORY 1u
#define CELOS_PCI_BAR_IO 2u
#define CELOS_PCI_BAR_64BIT 4u
#define CELOS_PCI_BAR_PREFETCHABLE 8u

struct celos_pci_bar {
    uint64_t base;  /* physical address, or the first I/O port */
    uint64_t size;  /* bytes (ports); a power of two */
    uint32_t flags; /* CELOS_PCI_BAR_* */
    uint32_t reserved;
};

/* How celos_pci_map_bar maps memory. */
#define CELOS_PCI_MAP_UNCACHED 0u
#define CELOS_PCI_MAP_WRITE_COMBINING 1u

/* Bits for celos_pci_enable. */
#define CELOS_PCI_ENABLE_IO 1u
#define CELOS_PCI_ENABLE_MEMORY 2u
#define CELOS_PCI_ENABLE_BUS_MASTER 4u

CELOS_BEGIN_DECLS
/* The index-th function (from 0) with this vendor and device
   (CELOS_PCI_ANY matches any). CELOS_ERR_NOT_FOUND past the last. */
celos_status celos_pci_find(uint16_t vendor_id, uint16_t device_id, uint32_t index, struct celos_pci_device* out);
/* The index-th function of a class and subclass (0xFF: any subclass). */
celos_status celos_pci_find_class(uint8_t class_code, uint8_t subclass, uint32_t index,
                                  struct celos_pci_device* out);
/* Configuration space: `size` 1, 2 or 4 bytes at `offset` (< 256, aligned
   to the size). CELOS_ERR_INVALID otherwise, or for a device not found. */
celos_status celos_pci_config_read(const struct celos_pci_device* device, uint32_t offset, uint32_t size,
                                   uint32_t* value);
celos_status celos_pci_config_write(const struct celos_pci_device* device, uint32_t offset, uint32_t size,
                                    uint32_t value);
/* BAR `index` (0..5) decoded and sized, with decoding off while it is
   sized. CELOS_ERR_NOT_FOUND for an unimplemented BAR; CELOS_ERR_INVALID or
   CELOS_ERR_RANGE for one that fails a check (logged, naming it). */
celos_status celos_pci_bar_get(const struct celos_pci_device* device, uint32_t index, struct celos_pci_bar* out);
/* Maps [offset, offset + size) of memory BAR `index` into the core's device
   range (CELOS_PCI_MAP_*); the range must lie inside the BAR. Unmapped by
   celos_pci_unmap or when the module goes. */
celos_status celos_pci_map_bar(const struct celos_pci_device* device, uint32_t index, uint64_t offset,
                               uint64_t size, uint32_t how, void** out);
celos_status celos_pci_unmap(void* mapping);
/* Sets CELOS_PCI_ENABLE_* bits in the command register (others kept). */
celos_status celos_pci_enable(const struct celos_pci_device* device, uint32_t what);
/* The offset of the first capability with `id` after the one at `after`
   (0: the first). CELOS_ERR_NOT_FOUND at the end; CELOS_ERR_INVALID for a
   list that loops or points into the header (logged). */
celos_status celos_pci_capability(const struct celos_pci_device* device, uint8_t id, uint8_t after,
                                  uint8_t* offset);
CELOS_END_DECLS

#endif
