// Package input lets a remote staff member operate the kiosk screen on the
// citizen's behalf. The seat sends remote-control commands as JSON over the
// session WebSocket. ParseCommand validates them, and a Session turns them
// into pointer, button, wheel and key events on a Linux uinput virtual
// device that the kiosk process creates with Open.
//
// # Security stance
//
// Injection happens only while the citizen consents. The kiosk calls
// Session.Start after the citizen confirms on screen, and Session.Apply
// rejects every command before Start and after Stop with ErrNotActive.
//
// The kiosk keeps a stop button visible for the whole session, and pressing
// it calls Session.Stop. Stop rejects further commands at once, stops a
// text command in flight before its next character, and then calls
// ReleaseAll, so no key or button stays pressed after control ends.
//
// The virtual keyboard has no Ctrl, Alt, Super or function keys, so the
// operator cannot use shortcuts to leave the kiosk application, switch
// virtual terminals or close windows. Key and text commands press and
// release each key within one write, and Shift is pressed only as part of a
// typed character. Only mouse buttons can be held down between commands.
// The device does not enable EV_REP, so the kernel never auto-repeats a key.
//
// Every session yields a Record for the audit log and one log line with the
// operator, start, end, duration, reason and number of commands. Neither
// contains typed text.
//
// # Typing
//
// TypeText sends US-layout key codes for printable ASCII, newline (Enter)
// and tab. The characters appear as intended only if the kiosk's keymap is
// US and Caps Lock is off. Chinese text is entered through the kiosk's
// on-screen input method, not through this package. An input method that
// intercepts hardware keys in Chinese mode would turn the typed letters into
// pinyin, so the kiosk must keep it in English mode during remote control.
package input
