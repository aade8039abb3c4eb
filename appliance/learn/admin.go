package learn

import (
	"context"

	"wenban/appliance/kb"
)

// The methods below run the draft operations of package kb on the
// service's store, so the administration pages need no store handle.

// Draft returns the working draft.
func (s *Service) Draft(context.Context) (kb.Draft, error) { return kb.LoadDraft(s.opts.DB) }

// Live returns the published entries the bot is trained on and their meta.
func (s *Service) Live(context.Context) ([]kb.Entry, kb.Meta, error) { return kb.Load(s.opts.DB) }

// CreateEntry adds an entry to the draft.
func (s *Service) CreateEntry(_ context.Context, by kb.Staff, e kb.Entry) (kb.Change, error) {
	return kb.CreateEntry(s.opts.DB, by, e, s.now())
}

// UpdateEntry replaces a draft entry's fields.
func (s *Service) UpdateEntry(_ context.Context, by kb.Staff, e kb.Entry) (kb.Change, error) {
	return kb.UpdateEntry(s.opts.DB, by, e, s.now())
}

// SetRetired retires or restores a draft entry.
func (s *Service) SetRetired(_ context.Context, by kb.Staff, id string, retired bool) (kb.Change, error) {
	return kb.SetRetired(s.opts.DB, by, id, retired, s.now())
}

// AddCategory appends a category to the managed list.
func (s *Service) AddCategory(_ context.Context, by kb.Staff, name string) (kb.Change, error) {
	return kb.AddCategory(s.opts.DB, by, name, s.now())
}

// RemoveCategory deletes an unused category.
func (s *Service) RemoveCategory(_ context.Context, by kb.Staff, name string) (kb.Change, error) {
	return kb.RemoveCategory(s.opts.DB, by, name, s.now())
}

// ImportDraft loads decoded entries into the draft.
func (s *Service) ImportDraft(_ context.Context, by kb.Staff, entries []kb.Entry, replace bool, source string) (kb.ImportResult, error) {
	return kb.ImportDraft(s.opts.DB, by, entries, replace, source, s.now())
}

// History returns recorded changes, newest first.
func (s *Service) History(_ context.Context, entryID string, limit int) ([]kb.Change, error) {
	return kb.History(s.opts.DB, entryID, limit)
}

// Versions returns the published versions, newest first, without items.
func (s *Service) Versions(context.Context) ([]kb.Version, error) { return kb.Versions(s.opts.DB) }

// Version returns one published version with its items.
func (s *Service) Version(_ context.Context, number int) (kb.Version, error) {
	return kb.LoadVersion(s.opts.DB, number)
}
