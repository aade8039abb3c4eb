package auth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"wenban/appliance/store"
)

// Account is a staff member who signs in to the seat screen or the back
// office.
type Account struct {
	ID          string `json:"id"`
	Login       string `json:"login"`        // lower case, [a-z0-9._-], 3 to 32 bytes
	DisplayName string `json:"display_name"` // shown to colleagues, 1 to 32 runes
	Role        Role   `json:"role"`
	MaxChats    int    `json:"max_chats"` // max concurrent chats for this agent, or 0 for the service default
	Disabled    bool   `json:"disabled"`
	// MustChangePassword is set for the first administrator and after an
	// administrator resets a password. The web layer should send the user
	// to the password form until SetPassword clears it.
	MustChangePassword bool      `json:"must_change_password"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
	// PasswordHash is an argon2id PHC string. Every Service method returns
	// accounts with it empty, and JSON encoding skips it.
	PasswordHash string `json:"-"`
}

// accountRecord is an Account as stored, sealed, in accountsBucket.
type accountRecord struct {
	Account
	PasswordHash string `json:"password_hash"`
	LoginKey     string `json:"login_key"`
}

// public returns the record as callers see it, without the hash.
func (r accountRecord) public() Account {
	a := r.Account
	a.PasswordHash = ""
	return a
}

// firstAdminLogin is the login name EnsureAdmin creates.
const firstAdminLogin = "admin"

// firstAdminPasswordLen gives about 93 bits with passwordAlphabet.
const firstAdminPasswordLen = 16

// EnsureAdmin creates the first administrator, login "admin" with a random
// 16-character password, when the database has no account at all. It
// returns the password so the caller can print it once, and stores only
// its hash. When any account exists it returns created false
// and empty strings.
func (s *Service) EnsureAdmin(ctx context.Context) (login, password string, created bool, err error) {
	if err := checkContext(ctx); err != nil {
		return "", "", false, err
	}
	empty, err := s.noAccounts()
	if err != nil || !empty {
		return "", "", false, err
	}

	password, err = generatePassword(firstAdminPasswordLen, firstAdminLogin)
	if err != nil {
		return "", "", false, err
	}
	draft := Account{Login: firstAdminLogin, DisplayName: "系统管理员", Role: RoleAdmin, MustChangePassword: true}
	a, err := s.insertAccount(draft, password, true)
	if errors.Is(err, errNotEmpty) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("creating first administrator: %w", err)
	}

	s.log.Info("created first administrator account", "account_id", a.ID)
	return a.Login, password, true, nil
}

// errNotEmpty stops EnsureAdmin when another process created an account
// between its check and its write.
var errNotEmpty = errors.New("auth: accounts exist")

func (s *Service) noAccounts() (bool, error) {
	empty := true
	err := s.db.View(func(tx *store.Tx) error {
		return tx.Scan(accountsBucket, "", func(string, store.Decoder) error {
			empty = false
			return store.ErrStop
		})
	})
	if err != nil {
		return false, fmt.Errorf("checking for accounts: %w", err)
	}
	return empty, nil
}

// CreateAccount adds an account. Invalid input returns an *InputError whose
// Message can be shown beside the field. For a login name already in use
// the *InputError wraps ErrLoginTaken.
func (s *Service) CreateAccount(ctx context.Context, login, displayName string, role Role, password string) (Account, error) {
	if err := checkContext(ctx); err != nil {
		return Account{}, err
	}

	login = normalizeLogin(login)
	if err := validateLogin(login); err != nil {
		return Account{}, err
	}
	displayName, err := cleanDisplayName(displayName)
	if err != nil {
		return Account{}, err
	}
	if err := validateRole(role); err != nil {
		return Account{}, err
	}
	if err := validatePassword("password", password, login); err != nil {
		return Account{}, err
	}

	// The creator knows the first password, so the owner must set their own
	// before serving citizens under their name.
	draft := Account{Login: login, DisplayName: displayName, Role: role, MustChangePassword: true}
	a, err := s.insertAccount(draft, password, false)
	if err != nil {
		return Account{}, err
	}
	s.log.Info("created account", "account_id", a.ID, "role", a.Role.String())
	return a, nil
}

// insertAccount hashes password and stores draft under a new ID. With
// onlyIfEmpty it fails with errNotEmpty unless no account exists.
func (s *Service) insertAccount(draft Account, password string, onlyIfEmpty bool) (Account, error) {
	lk, err := s.loginKey(draft.Login)
	if err != nil {
		return Account{}, err
	}
	// Check before hashing so a taken name costs no argon2 run. The write
	// below checks again because another request may win the race.
	_, found, err := s.accountByLoginKey(lk)
	if err != nil {
		return Account{}, err
	}
	if found {
		return Account{}, takenError()
	}

	hash, err := hashPassword(s.params, password)
	if err != nil {
		return Account{}, err
	}
	id, err := newID()
	if err != nil {
		return Account{}, err
	}

	now := s.now()
	draft.ID, draft.CreatedAt, draft.UpdatedAt = id, now, now
	rec := accountRecord{Account: draft, PasswordHash: hash, LoginKey: lk}
	err = s.db.Update(func(tx *store.Tx) error {
		return putNewAccount(tx, rec, onlyIfEmpty)
	})
	if err != nil {
		return Account{}, err
	}
	return rec.public(), nil
}

func takenError() *InputError {
	return &InputError{Field: "login", Message: "该账号已被使用，请换一个。", Err: ErrLoginTaken}
}

func putNewAccount(tx *store.Tx, rec accountRecord, onlyIfEmpty bool) error {
	if onlyIfEmpty {
		exists := false
		err := tx.Scan(accountsBucket, "", func(string, store.Decoder) error {
			exists = true
			return store.ErrStop
		})
		if err != nil {
			return err
		}
		if exists {
			return errNotEmpty
		}
	}

	var entry loginEntry
	found, err := tx.GetSealed(loginsBucket, rec.LoginKey, &entry)
	if err != nil {
		return fmt.Errorf("reading login index: %w", err)
	}
	if found {
		return takenError()
	}

	if err := tx.PutSealed(accountsBucket, rec.ID, rec); err != nil {
		return fmt.Errorf("storing account %s: %w", rec.ID, err)
	}
	return tx.PutSealed(loginsBucket, rec.LoginKey, loginEntry{AccountID: rec.ID})
}

// Accounts returns every account, oldest first.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}

	var out []Account
	err := s.db.View(func(tx *store.Tx) error {
		return tx.ScanSealed(accountsBucket, "", func(_ string, decode store.Decoder) error {
			var rec accountRecord
			if err := decode(&rec); err != nil {
				return err
			}
			out = append(out, rec.public())
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing accounts: %w", err)
	}

	slices.SortFunc(out, func(a, b Account) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Login, b.Login))
	})
	return out, nil
}

// Account returns the account with the given ID, or ErrNotFound.
func (s *Service) Account(ctx context.Context, id string) (Account, error) {
	if err := checkContext(ctx); err != nil {
		return Account{}, err
	}
	rec, err := s.readAccount(id)
	if err != nil {
		return Account{}, err
	}
	return rec.public(), nil
}

// Update saves a's display name, role, concurrent chat limit and disabled
// flag and ignores the other fields of a. Disabling an account ends its
// sessions. It returns ErrLastAdmin rather than disable or demote the last
// enabled administrator.
func (s *Service) Update(ctx context.Context, a Account) error {
	if err := checkContext(ctx); err != nil {
		return err
	}
	displayName, err := cleanDisplayName(a.DisplayName)
	if err != nil {
		return err
	}
	if err := validateRole(a.Role); err != nil {
		return err
	}
	if err := validateMaxChats(a.MaxChats); err != nil {
		return err
	}

	var ended int
	err = s.db.Update(func(tx *store.Tx) error {
		rec, err := loadAccount(tx, a.ID)
		if err != nil {
			return err
		}
		if rec.isActiveAdmin() && (a.Disabled || a.Role != RoleAdmin) {
			if err := ensureOtherAdmin(tx, rec.ID); err != nil {
				return err
			}
		}

		rec.DisplayName, rec.Role, rec.MaxChats, rec.Disabled = displayName, a.Role, a.MaxChats, a.Disabled
		rec.UpdatedAt = s.now()
		if err := tx.PutSealed(accountsBucket, rec.ID, rec); err != nil {
			return fmt.Errorf("storing account %s: %w", rec.ID, err)
		}
		if rec.Disabled {
			ended, err = endSessions(tx, rec.ID)
		}
		return err
	})
	if err != nil {
		return err
	}

	s.log.Info("updated account", "account_id", a.ID, "role", a.Role.String(), "disabled", a.Disabled, "sessions_ended", ended)
	return nil
}

func (r accountRecord) isActiveAdmin() bool {
	return r.Role == RoleAdmin && !r.Disabled
}

// ensureOtherAdmin returns ErrLastAdmin unless an enabled administrator
// other than exceptID exists.
func ensureOtherAdmin(tx *store.Tx, exceptID string) error {
	found := false
	err := tx.ScanSealed(accountsBucket, "", func(id string, decode store.Decoder) error {
		if id == exceptID {
			return nil
		}
		var rec accountRecord
		if err := decode(&rec); err != nil {
			return err
		}
		if rec.isActiveAdmin() {
			found = true
			return store.ErrStop
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("counting administrators: %w", err)
	}
	if !found {
		return ErrLastAdmin
	}
	return nil
}

func loadAccount(tx *store.Tx, id string) (accountRecord, error) {
	var rec accountRecord
	if id == "" {
		return rec, fmt.Errorf("account %q: %w", id, ErrNotFound)
	}
	found, err := tx.GetSealed(accountsBucket, id, &rec)
	if err != nil {
		return rec, fmt.Errorf("reading account %s: %w", id, err)
	}
	if !found {
		return rec, fmt.Errorf("account %s: %w", id, ErrNotFound)
	}
	return rec, nil
}

// accountByLoginKey looks an account up through the login index.
func (s *Service) accountByLoginKey(lk string) (accountRecord, bool, error) {
	var rec accountRecord
	var found bool
	err := s.db.View(func(tx *store.Tx) error {
		var err error
		rec, found, err = lookupLogin(tx, lk)
		return err
	})
	return rec, found, err
}

func lookupLogin(tx *store.Tx, lk string) (accountRecord, bool, error) {
	var entry loginEntry
	found, err := tx.GetSealed(loginsBucket, lk, &entry)
	if err != nil || !found {
		return accountRecord{}, false, err
	}
	rec, err := loadAccount(tx, entry.AccountID)
	if err != nil {
		return accountRecord{}, false, fmt.Errorf("following login index: %w", err)
	}
	return rec, true, nil
}
