package sfu

import "errors"

var (
	// ErrClosed is returned by every method after SFU.Close or
	// Participant.Close.
	ErrClosed = errors.New("sfu: closed")
	// ErrRoomNotFound is returned when a room has no participants.
	ErrRoomNotFound = errors.New("sfu: room not found")
	// ErrParticipantNotFound is returned when a room has no participant
	// with the given id.
	ErrParticipantNotFound = errors.New("sfu: participant not found")
	// ErrNoSignal is returned by HandleSignal on a participant joined
	// without JoinOptions.Signal, which negotiates through
	// Participant.Answer only.
	ErrNoSignal = errors.New("sfu: participant has no signalling channel")
	// ErrBadSignal is returned by HandleSignal for a message of unknown
	// type or without its SDP or candidate.
	ErrBadSignal = errors.New("sfu: invalid signalling message")
	// ErrLimit is returned, together with ErrBadSignal, for a client
	// description or candidate beyond the SFU's limits on media
	// sections and candidates.
	ErrLimit = errors.New("sfu: signalling message exceeds a limit")
)
