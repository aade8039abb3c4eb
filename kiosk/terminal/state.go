package terminal

import "wenban/kiosk/control"

// State is the terminal's part of the touch screen, beside the hub's
// citizen pages. The screen receives it as JSON on every change.
type State struct {
	// Version counts changes, so the screen can drop a stale update.
	Version uint64 `json:"version"`
	// Connected reports whether the control channel to the hub is up.
	Connected bool `json:"connected"`
	// Call is the running call, or nil.
	Call *CallView `json:"call,omitempty"`
	// Notice is a message for the citizen in Chinese, such as a missing
	// camera, or empty.
	Notice string `json:"notice,omitempty"`
	// Devices is the state of each device.
	Devices control.Devices `json:"devices"`
	// ControlRequest is set while a staff member waits for the citizen to
	// allow remote control.
	ControlRequest bool `json:"control_request"`
	// ControlActive is set while a staff member controls the screen.
	ControlActive bool `json:"control_active"`
	// StillRequested is set when the staff member asked for a photo of a
	// document.
	StillRequested bool `json:"still_requested"`
}

// CallView is the part of a call the screen needs to play the staff
// member's media over WHEP.
type CallView struct {
	Room      string `json:"room"`
	PlayURL   string `json:"play_url,omitempty"`
	PlayToken string `json:"play_token,omitempty"`
	// ScreenURL and ScreenToken are where the page publishes its own tab
	// during remote control.
	ScreenURL   string              `json:"screen_url,omitempty"`
	ScreenToken string              `json:"screen_token,omitempty"`
	ICEServers  []control.ICEServer `json:"ice_servers,omitempty"`
}

// Notices shown on the screen. They keep the citizen going with text chat
// whenever video or voice fails.
const (
	noticeNoConnection = "视频连接暂时中断，正在重新连接。您可以继续使用文字与工作人员交流。"
	noticeNoCamera     = "摄像头暂时不可用，工作人员看不到您的画面，您可以继续语音或文字交流。"
	noticeNoMicrophone = "麦克风暂时不可用，请使用文字与工作人员交流。"
	noticeNoDevices    = "摄像头和麦克风暂时不可用，请使用文字与工作人员交流，我们正在尝试恢复。"
)

// noticeFor returns the notice for the devices of a publication, or ""
// when camera and microphone both work or are switched off on purpose.
func noticeFor(d control.Devices) string {
	cameraDown := d.Camera != control.DeviceOK && d.Camera != control.DeviceOff
	microphoneDown := d.Microphone != control.DeviceOK && d.Microphone != control.DeviceOff

	switch {
	case cameraDown && microphoneDown:
		return noticeNoDevices
	case cameraDown:
		return noticeNoCamera
	case microphoneDown:
		return noticeNoMicrophone
	default:
		return ""
	}
}

// update applies change to the state and wakes every watcher.
func (t *Terminal) update(change func(*State)) {
	t.mu.Lock()
	change(&t.state)
	t.state.Version++
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

func (t *Terminal) setNotice(notice string) {
	t.update(func(s *State) { s.Notice = notice })
}

// Watch returns the current state and a channel that is closed at the
// next change.
func (t *Terminal) Watch() (State, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()

	s := t.state
	if s.Call != nil {
		view := *s.Call
		s.Call = &view
	}

	return s, t.changed
}
