package policy

import "fmt"

// Status is a document's 效力. The zero value is StatusUnknown.
type Status int

// Statuses of a document.
const (
	StatusUnknown  Status = iota
	StatusInForce         // 现行有效
	StatusAmended         // 已修订: a newer text replaced this one
	StatusRepealed        // 已废止
)

var statusNames = map[Status]string{
	StatusInForce:  "现行有效",
	StatusAmended:  "已修订",
	StatusRepealed: "已废止",
}

// Statuses lists the valid statuses in display order.
var Statuses = []Status{StatusInForce, StatusAmended, StatusRepealed}

// String returns the Chinese name, or "未知" for an invalid status.
func (s Status) String() string {
	if name, ok := statusNames[s]; ok {
		return name
	}
	return "未知"
}

// ParseStatus parses the Chinese name of a status.
func ParseStatus(name string) (Status, error) {
	for s, n := range statusNames {
		if n == name {
			return s, nil
		}
	}
	return StatusUnknown, fmt.Errorf("效力 %q 无效，应为 现行有效、已修订 或 已废止", name)
}

// MarshalText writes the Chinese name.
func (s Status) MarshalText() ([]byte, error) {
	if _, ok := statusNames[s]; !ok {
		return nil, fmt.Errorf("encoding status %d: not a valid status", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads the Chinese name.
func (s *Status) UnmarshalText(b []byte) error {
	parsed, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}

// Level is a document's rank in the legal hierarchy. The zero value is
// LevelUnknown.
type Level int

// Levels of a document, from the highest rank down.
const (
	LevelUnknown    Level = iota
	LevelLaw              // 法律
	LevelRegulation       // 行政法规
	LevelDepartment       // 部门规章
	LevelLocal            // 地方性法规
	LevelNormative        // 规范性文件
)

var levelNames = map[Level]string{
	LevelLaw:        "法律",
	LevelRegulation: "行政法规",
	LevelDepartment: "部门规章",
	LevelLocal:      "地方性法规",
	LevelNormative:  "规范性文件",
}

// Levels lists the valid levels from the highest rank down.
var Levels = []Level{LevelLaw, LevelRegulation, LevelDepartment, LevelLocal, LevelNormative}

// String returns the Chinese name, or "未知" for an invalid level.
func (l Level) String() string {
	if name, ok := levelNames[l]; ok {
		return name
	}
	return "未知"
}

// ParseLevel parses the Chinese name of a level.
func ParseLevel(name string) (Level, error) {
	for l, n := range levelNames {
		if n == name {
			return l, nil
		}
	}
	return LevelUnknown, fmt.Errorf("层级 %q 无效，应为 法律、行政法规、部门规章、地方性法规 或 规范性文件", name)
}

// MarshalText writes the Chinese name.
func (l Level) MarshalText() ([]byte, error) {
	if _, ok := levelNames[l]; !ok {
		return nil, fmt.Errorf("encoding level %d: not a valid level", int(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText reads the Chinese name.
func (l *Level) UnmarshalText(b []byte) error {
	parsed, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = parsed
	return nil
}
