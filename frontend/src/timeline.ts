// Where things go on the timeline: times to fractions of its width and back.

export interface Window {
  start: number; // ms since the epoch
  end: number;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function fraction(window: Window, moment: number): number {
  return (moment - window.start) / (window.end - window.start);
}

export function momentAt(window: Window, part: number): number {
  const clamped = Math.min(1, Math.max(0, part));
  return Math.round(window.start + clamped * (window.end - window.start));
}

// Hour marks inside the window, every `step` hours, on the hour in local time.
export function hourMarks(window: Window, step: number): number[] {
  const first = new Date(window.start);
  first.setMinutes(0, 0, 0);
  const marks: number[] = [];
  for (let t = first.getTime(); t <= window.end; t += HOUR) {
    if (t >= window.start && new Date(t).getHours() % step === 0) marks.push(t);
  }
  return marks;
}

// A 1-hour window around a moment, kept inside the outer window.
export function zoomed(outer: Window, around: number): Window {
  const start = Math.min(
    Math.max(outer.start, around - HOUR / 2),
    outer.end - HOUR,
  );
  return { start, end: start + HOUR };
}
