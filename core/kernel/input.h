// The input queue (<celos/input.h>): key events from every input driver, in
// the order they came, for the consumer's main-loop task.
#pragma once

#include <celos/input.h>

#include "lib/result.h"
#include "lib/types.h"

namespace celos {

// Why `event` is not a valid event, or null.
const char* input_event_check(const celos_input_event& event);
Result<void> input_report(const celos_input_event& event);
bool input_read(celos_input_event& event);
bool input_pending();
usize input_room(); // events the queue takes now
// Events dropped because the queue was full, since boot.
u64 input_dropped();
// Empties the queue (host tests).
void input_reset();

} // namespace celos
