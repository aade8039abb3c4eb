// Seat alerts: a count in the page title and a short tone made with the
// Web Audio API, so staff notice a new citizen in the queue or a message in
// a conversation they are not looking at.

const toneGapMs = 1500;

// Alerter keeps the title badge and plays the tone. Browsers keep an
// AudioContext suspended until the page has had a user gesture, so the
// context is created on the first click or key press and the tone stays
// silent before that.
export class Alerter {
  constructor(baseTitle) {
    this.baseTitle = baseTitle;
    this.audio = null;
    this.lastTone = 0;
    const unlock = () => {
      this.unlockAudio();
      window.removeEventListener("pointerdown", unlock, true);
      window.removeEventListener("keydown", unlock, true);
    };
    window.addEventListener("pointerdown", unlock, true);
    window.addEventListener("keydown", unlock, true);
  }

  unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || this.audio) return;
    try {
      this.audio = new Context();
    } catch {
      this.audio = null;
    }
  }

  // setCount shows n in front of the page title, as in "(3) 坐席工作台",
  // and zero restores the plain title.
  setCount(n) {
    document.title = n > 0 ? `(${n}) ${this.baseTitle}` : this.baseTitle;
  }

  // tone plays two short notes, at most once per toneGapMs so a burst of
  // messages makes one sound.
  tone() {
    const ctx = this.audio;
    if (!ctx) return;
    const now = Date.now();
    if (now - this.lastTone < toneGapMs) return;
    this.lastTone = now;
    if (ctx.state === "suspended") ctx.resume();

    const start = ctx.currentTime + 0.01;
    note(ctx, 880, start, 0.12);
    note(ctx, 1175, start + 0.16, 0.16);
  }
}

// note plays one sine note of the given frequency (Hz) and length
// (seconds), with a fast attack and decay so it does not click.
function note(ctx, frequency, start, length) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "sine";
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
  osc.connect(gain).connect(ctx.destination);
  osc.start(start);
  osc.stop(start + length + 0.02);
}

// pageWatched reports whether the staff member can see the page now: the
// tab is visible and the window has the focus.
export function pageWatched() {
  return document.visibilityState === "visible" && document.hasFocus();
}
