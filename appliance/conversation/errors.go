package conversation

import "errors"

// Errors of the conversation service. The web and realtime layers map them
// to Chinese messages; they never reach a citizen as they are.
var (
	// ErrNotFound means no conversation has the given id.
	ErrNotFound = errors.New("conversation not found")
	// ErrBadToken means the citizen's token does not match the conversation.
	ErrBadToken = errors.New("conversation token does not match")
	// ErrTokenExpired means the conversation ended and its rating window
	// passed, or it was rated, so the citizen's token opens it no more.
	ErrTokenExpired = errors.New("conversation token expired")
	// ErrTaken means another seat accepted the conversation first.
	ErrTaken = errors.New("conversation was already accepted by another seat")
	// ErrQueueFull means the queue holds Options.MaxQueue citizens already.
	ErrQueueFull = errors.New("queue is full")
	// ErrQueueEmpty means no citizen is waiting.
	ErrQueueEmpty = errors.New("no conversation is waiting in the queue")
	// ErrAtCapacity means the agent already serves as many citizens as allowed.
	ErrAtCapacity = errors.New("agent serves the maximum number of conversations")
	// ErrNotOwner means the agent does not own the conversation.
	ErrNotOwner = errors.New("agent does not own the conversation")
	// ErrClosed means the conversation has ended.
	ErrClosed = errors.New("conversation is closed")
	// ErrNotClosed means a rating was given before the service ended.
	ErrNotClosed = errors.New("conversation is not closed yet")
	// ErrAlreadyRated means the citizen rated this conversation before.
	ErrAlreadyRated = errors.New("conversation was already rated")
)

// InputError is a validation failure with a message for the user.
type InputError struct {
	Field   string
	Message string // Simplified Chinese, safe to show
}

func (e *InputError) Error() string { return e.Field + ": " + e.Message }
