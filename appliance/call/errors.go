package call

import "errors"

// Errors of the call manager. The session plane maps them to Chinese
// messages for the pages.
var (
	// ErrNoCall means the conversation has no call in progress.
	ErrNoCall = errors.New("call: no call in progress")
	// ErrBusy means the conversation already has a call, or its citizen
	// is in a group window.
	ErrBusy = errors.New("call: a call is already in progress")
	// ErrWrongState means the operation does not apply in the call's
	// current state, such as accepting a live call or holding a ringing one.
	ErrWrongState = errors.New("call: operation not allowed in this call state")
	// ErrNotParty means the caller of the operation is not the side it
	// must come from, such as the caller accepting its own invitation or
	// a seat acting on a call it does not serve.
	ErrNotParty = errors.New("call: not a party of this call")
	// ErrGroupNotFound means no open group window has the given id.
	ErrGroupNotFound = errors.New("call: group window not found")
	// ErrGroupFull means the group window has MaxGroupMembers citizens.
	ErrGroupFull = errors.New("call: group window is full")
	// ErrNotMember means the citizen is not in the group window.
	ErrNotMember = errors.New("call: citizen is not in the group window")
	// ErrNoRoom means the room is neither a call's nor a group window's,
	// or the participant may not join it.
	ErrNoRoom = errors.New("call: no call or group window for this room")
)
