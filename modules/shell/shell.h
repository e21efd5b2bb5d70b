// The shell: key events in (<celos/input.h>), terminal bytes out. It keeps
// the line editor, the history and Tab completion, and runs the commands
// (commands.h) through a System. Pure logic, no heap of its own: the
// module allocates one Shell and feeds it; the host tests and the fuzzer do
// the same with a fake System.
//
// Keys: characters are inserted; Backspace, Delete, Left/Right, Home/End
// and Ctrl-A/E/B/F/D/H edit; Ctrl-U/K/W cut; Ctrl-C abandons the line;
// Ctrl-L clears the screen; Enter runs the line; Up/Down (Ctrl-P/N) browse
// the history; Tab completes; Shift+PgUp/PgDn scroll the consoles' view a
// page back or forward, Shift+Up/Down a line (celos_console_scroll), and
// any other key first
// returns the view to the bottom. Other keys are ignored.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <celos/console.h>
#include <celos/input.h>

#include "commands.h"
#include "history.h"
#include "line_editor.h"
#include "system.h"
#include "text.h"

namespace celos::shell {

inline constexpr const char* kPrompt = "celos> ";

class Shell {
  public:
    Shell(const System& system, WriteFn write, void* write_context);
    Shell(const Shell&) = delete;
    Shell& operator=(const Shell&) = delete;

    // The narrowest terminal's width in columns (the line editor's); from
    // the next key on.
    void set_columns(uint32_t columns);
    // The welcome line and the first prompt.
    void start();
    // One key event. Its output waits in a buffer (up to 512 bytes, or a
    // command's start) for flush(): keys queued together are echoed together.
    void key(const celos_input_event& event);
    void flush() { out_.flush(); }
    // The prompt and the line again, from the start of the current row: the
    // log printed something over them (its lines end a row).
    void redraw() { editor_.redraw(); }

    const LineEditor& editor() const { return editor_; }
    const History& history() const { return history_; }

  private:
    void control(uint32_t letter);
    void submit();
    void cancel();
    void history_step(int direction);
    void complete();
    void list(const char* names, size_t length, const char* word, size_t word_length);

    System system_;
    Output out_;
    LineEditor editor_;
    History history_;
    size_t browse_ = 0; // history entry shown; history_.count() when editing the draft
    char draft_[kLineMax];
    size_t draft_length_ = 0;
    bool last_was_tab_ = false;
    bool scrolled_ = false;
    char line_[kLineMax + 1]; // the line being run
    char names_[64 * 260];    // completion candidates, one per line
    char report_[8192];       // the core's reports (grown by allocation when longer)
};

} // namespace celos::shell
