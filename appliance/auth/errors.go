package auth

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned by Service. UserMessage turns each into text for staff.
var (
	// ErrBadCredentials means the login name or the password is wrong. The
	// two cases share one error so a caller cannot probe for login names.
	ErrBadCredentials = errors.New("auth: invalid login name or password")
	// ErrLocked means too many failed logins. Login returns it as a *LockedError.
	ErrLocked = errors.New("auth: login temporarily locked after repeated failures")
	// ErrAccountDisabled means an administrator disabled the account.
	ErrAccountDisabled = errors.New("auth: account is disabled")
	// ErrLoginTaken means another account already uses the login name. It
	// arrives wrapped in an *InputError for the login field.
	ErrLoginTaken = errors.New("auth: login name is already taken")
	// ErrNotFound means no account has the given ID.
	ErrNotFound = errors.New("auth: account not found")
	// ErrNoSession means the request carries no session token or an unknown one.
	ErrNoSession = errors.New("auth: no session")
	// ErrSessionExpired means the session passed its lifetime or idle timeout.
	ErrSessionExpired = errors.New("auth: session expired")
	// ErrForbidden means the acting account lacks the role for the operation.
	ErrForbidden = errors.New("auth: operation not permitted for this account")
	// ErrLastAdmin means the change would leave no enabled administrator.
	ErrLastAdmin = errors.New("auth: change would leave no enabled administrator")
	// ErrCSRF means an unsafe request lacked the session's CSRF token.
	ErrCSRF = errors.New("auth: missing or invalid CSRF token")
	// ErrBusy means too many password checks were running to take one more.
	ErrBusy = errors.New("auth: too many logins at once")
)

// InputError rejects one form field. Message is Simplified Chinese and safe
// to show next to the field.
type InputError struct {
	Field   string // form field name: login, display_name, password, role, max_chats
	Message string
	Err     error // optional sentinel, such as ErrLoginTaken
}

func (e *InputError) Error() string {
	return fmt.Sprintf("auth: invalid %s: %s", e.Field, e.Message)
}

func (e *InputError) Unwrap() error { return e.Err }

func inputError(field, message string) *InputError {
	return &InputError{Field: field, Message: message}
}

// LockedError is ErrLocked with the time left until the login is unlocked.
type LockedError struct {
	Remaining time.Duration
	// NameWide is true when failures from all addresses together locked
	// the name, a lock that attempts with a valid device cookie bypass.
	// It is false for the lock of one address or one device cookie.
	NameWide bool
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%v: %d minutes left", ErrLocked, e.Minutes())
}

func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Minutes returns the time left rounded up to whole minutes, at least 1.
func (e *LockedError) Minutes() int {
	m := int((e.Remaining + time.Minute - 1) / time.Minute)
	return max(m, 1)
}

// UserMessage returns Simplified Chinese text for err that is safe to show
// to staff. Errors this package does not know get a generic message, so
// internal details stay in the log.
func UserMessage(err error) string {
	var input *InputError
	var locked *LockedError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &input):
		return input.Message
	case errors.As(err, &locked) && locked.NameWide:
		return fmt.Sprintf("该账号在其他地点登录失败次数过多，已临时锁定，请 %d 分钟后再试。此前成功登录过该账号的电脑和浏览器不受影响，仍可照常登录。", locked.Minutes())
	case errors.As(err, &locked):
		return fmt.Sprintf("登录失败次数过多，该账号已临时锁定，请 %d 分钟后再试。", locked.Minutes())
	case errors.Is(err, ErrBadCredentials):
		return "账号或密码错误，请重新输入。"
	case errors.Is(err, ErrAccountDisabled):
		return "该账号已停用，请联系系统管理员。"
	case errors.Is(err, ErrNotFound):
		return "未找到该账号。"
	case errors.Is(err, ErrNoSession):
		return "请先登录。"
	case errors.Is(err, ErrSessionExpired):
		return "登录已超时，请重新登录。"
	case errors.Is(err, ErrForbidden):
		return "您没有执行此操作的权限。"
	case errors.Is(err, ErrLastAdmin):
		return "系统至少需要保留一个启用的管理员账号。"
	case errors.Is(err, ErrCSRF):
		return "页面已过期，请刷新后重试。"
	case errors.Is(err, ErrBusy):
		return "当前登录人数较多，请稍后再试。"
	default:
		return "系统繁忙，请稍后再试。"
	}
}
