/* Changes the display's mode at run time (issue 16, acceptance 2): after
   fbcon, asks whichever driver provides the display for mode=WIDTHxHEIGHT
   through the service's set_mode; the console follows by laying its grid
   out again. Logs the PCI listing (celos_info "pci") and the modes the
   driver offers first. */
#include <celos/abi.h>
#include <celos/display.h>

static int64_t width = 800, height = 600;

static const struct celos_module_param params[] = {
    {"width", CELOS_PARAM_INT, 0, &width, "the new width"},
    {"height", CELOS_PARAM_INT, 0, &height, "the new height"},
};

static char listing[4096];

static celos_status display_mode_init(void) {
    /* lspci, through celos_info: one log line per line of the listing. */
    int length = celos_info("pci", 0, listing, sizeof listing);
    for (char* line = listing; length > 0 && *line;) {
        char* end = line;
        while (*end && *end != '\n')
            ++end;
        char saved = *end;
        *end = 0;
        celos_log(CELOS_LOG_INFO, "lspci: %s", line);
        if (!saved) break;
        line = end + 1;
    }
    const struct celos_display_ops* d =
        celos_service_lookup(CELOS_DISPLAY_SERVICE, CELOS_DISPLAY_INTERFACE_VERSION);
    if (!d) {
        celos_log(CELOS_LOG_ERROR, "no display service");
        return CELOS_ERR_NOT_FOUND;
    }
    uint32_t w = 0, h = 0, n = 0;
    while (d->mode_at(d->context, n, &w, &h) == CELOS_OK)
        ++n;
    celos_log(CELOS_LOG_INFO, "display '%s' offers %u modes, setting %lldx%lld", d->name, n, (long long)width,
              (long long)height);
    celos_status s = d->set_mode(d->context, (uint32_t)width, (uint32_t)height);
    struct celos_display_mode m;
    const struct celos_display_ops* now =
        celos_service_lookup(CELOS_DISPLAY_SERVICE, CELOS_DISPLAY_INTERFACE_VERSION);
    now->get_mode(now->context, &m);
    celos_log(s == CELOS_OK ? CELOS_LOG_INFO : CELOS_LOG_WARN, "set_mode: %s, the display is %ux%u",
              celos_status_name(s), m.width, m.height);
    return CELOS_OK;
}

CELOS_MODULE_WITH_PARAMS("display_mode", "1.0", "fbcon @display", display_mode_init, 0, params, 2);
