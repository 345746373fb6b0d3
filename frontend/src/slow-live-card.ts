// The Slow Live card: live view, a day's timeline of recordings and alarms under it,
// a tap replays that moment in the card, "Play on…" sends it to a media player.
import { LitElement, css, html, nothing } from "lit";
import { SlowLiveCardEditor } from "./editor";
import { alarmKind, localize } from "./strings";
import { DAY, HOUR, Window, fraction, hourMarks, momentAt, zoomed } from "./timeline";
import {
  CardConfig,
  DOMAIN,
  HassEntity,
  HomeAssistant,
  Playback,
  Span,
  Timeline,
} from "./types";

// An alarm plays from a little before it (as its event's replay does).
const PRE_ROLL = 10_000;
// The timeline is read again this often (the server answers from its cache within a
// minute, so this costs the cloud a request a minute at most).
const REFRESH = 60_000;

interface CardHelpers {
  createCardElement(config: Record<string, unknown>): Promise<HTMLElement>;
}

declare global {
  interface Window {
    customCards?: Array<Record<string, unknown>>;
    loadCardHelpers?: () => Promise<CardHelpers>;
  }
}

// A local date as the date picker writes it (YYYY-MM-DD).
function dateValue(moment: number): string {
  const date = new Date(moment);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export class SlowLiveCard extends LitElement {
  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
    _timeline: { state: true },
    _day: { state: true },
    _view: { state: true },
    _playback: { state: true },
    _frame: { state: true },
    _message: { state: true },
    _closest: { state: true },
    _error: { state: true },
  };

  hass?: HomeAssistant;
  private _config?: CardConfig;
  private _timeline?: Timeline;
  private _day?: Window; // the day shown: 24 h ending at its end
  private _view?: Window; // the part of it drawn: the day or an hour of it
  private _playback?: Playback;
  private _frame?: number; // wall-clock time of the frame playing
  private _message?: string;
  private _closest?: Span;
  private _error?: string;
  private _timer?: number;
  private _clock?: number;

  static getConfigElement(): HTMLElement {
    return document.createElement("volcengine-slow-live-card-editor");
  }

  static getStubConfig(hass: HomeAssistant): Partial<CardConfig> {
    const ours = Object.values(hass.entities ?? {}).find(
      (e) => e.platform === DOMAIN && e.entity_id.startsWith("camera."),
    );
    return { entity: ours?.entity_id ?? "" };
  }

  setConfig(config: CardConfig): void {
    if (!config.entity || !config.entity.startsWith("camera.")) {
      throw new Error("entity: a camera of Volcengine Slow Live is required");
    }
    if (this._config?.entity !== config.entity) {
      this._timeline = undefined;
      this._playback = undefined;
    }
    this._config = config;
  }

  getCardSize(): number {
    return 6;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this._ensureStreamElement();
    this._timer = window.setInterval(() => void this._load(), REFRESH);
    this._clock = window.setInterval(() => this._tick(), 500);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this._timer);
    window.clearInterval(this._clock);
  }

  // `ha-camera-stream` is defined once a card that uses it was loaded: a picture
  // entity card, made (not shown) through the frontend's card helpers, loads it.
  private async _ensureStreamElement(): Promise<void> {
    if (customElements.get("ha-camera-stream") || !window.loadCardHelpers) return;
    const helpers = await window.loadCardHelpers();
    await helpers.createCardElement({
      type: "picture-entity",
      entity: this._config?.entity,
      camera_view: "live",
    });
    await customElements.whenDefined("ha-camera-stream");
    this.requestUpdate();
  }

  private get _language(): string | undefined {
    return this.hass?.locale?.language ?? this.hass?.language;
  }

  private _t(key: Parameters<typeof localize>[1], values?: Record<string, string>) {
    return localize(this._language, key, values);
  }

  private _time(moment: number, seconds = false): string {
    const zone =
      this.hass?.locale?.time_zone === "server" ? this.hass.config.time_zone : undefined;
    return new Intl.DateTimeFormat(this._language, {
      hour: "2-digit",
      minute: "2-digit",
      second: seconds ? "2-digit" : undefined,
      timeZone: zone,
    }).format(new Date(moment));
  }

  // The camera's alarm event entity (same device): when it fires, the timeline is
  // read again at once, so a new alarm appears without a reload.
  private _alarmEntity?: string;
  private _alarmSeen?: string;

  private _watchAlarms(): void {
    if (!this.hass || !this._config) return;
    const device = this.hass.entities?.[this._config.entity]?.device_id;
    this._alarmEntity ??= Object.values(this.hass.entities ?? {}).find(
      (e) =>
        e.device_id === device &&
        e.platform === DOMAIN &&
        e.entity_id.startsWith("event."),
    )?.entity_id;
    const fired = this._alarmEntity
      ? this.hass.states[this._alarmEntity]?.state
      : undefined;
    if (fired !== this._alarmSeen) {
      const first = this._alarmSeen === undefined;
      this._alarmSeen = fired;
      if (!first && this._timeline) void this._load(true);
    }
  }

  protected override updated(): void {
    this._watchAlarms();
    if (this.hass && this._config && !this._timeline && !this._error && !this._day) {
      const end = Date.now();
      this._day = { start: end - DAY, end };
      this._view = this._day;
      void this._load();
    }
  }

  private async _load(refresh = false): Promise<void> {
    if (!this.hass || !this._config || !this._day) return;
    // The last 24 h move with the clock; an earlier day stays where it is.
    const live = Date.now() - this._day.end < 2 * REFRESH;
    if (live) {
      const end = Date.now();
      const shift = end - this._day.end;
      this._day = { start: end - DAY, end };
      if (this._view) this._view = { start: this._view.start + shift, end: this._view.end + shift };
    }
    try {
      this._timeline = await this.hass.callWS<Timeline>({
        type: `${DOMAIN}/timeline`,
        entity_id: this._config.entity,
        start: new Date(this._day.start).toISOString(),
        end: new Date(this._day.end).toISOString(),
        refresh,
      });
      this._error = undefined;
    } catch (err) {
      this._error = this._t("error", { message: (err as Error).message ?? String(err) });
    }
  }

  private _tick(): void {
    const video = this._video();
    if (!video || !this._playback?.start) return;
    this._frame = Date.parse(this._playback.start) + video.currentTime * 1000;
  }

  private _video(): HTMLVideoElement | null {
    const player = this.renderRoot.querySelector(".recording");
    if (!player) return null;
    if (player instanceof HTMLVideoElement) return player;
    return player.shadowRoot?.querySelector("video") ?? null;
  }

  private async _play(moment: number): Promise<void> {
    if (!this.hass || !this._config) return;
    this._message = undefined;
    this._closest = undefined;
    try {
      const answer = await this.hass.callWS<Playback>({
        type: `${DOMAIN}/playback`,
        entity_id: this._config.entity,
        start: new Date(moment).toISOString(),
      });
      const time = this._time(moment, true);
      if (!answer.url) {
        this._message = this._t("nothing_recorded", { time });
        this._closest = answer.after ?? answer.before ?? undefined;
        return;
      }
      this._playback = answer;
      this._frame = Date.parse(answer.start ?? answer.requested);
      if (!answer.moment_recorded && answer.start) {
        this._message = this._t("playing_from", {
          time,
          start: this._time(Date.parse(answer.start), true),
        });
      }
    } catch (err) {
      this._message = (err as Error).message ?? String(err);
    }
  }

  private _live(): void {
    this._playback = undefined;
    this._frame = undefined;
    this._message = undefined;
    this._closest = undefined;
  }

  private _onTimelineClick(event: MouseEvent): void {
    if (!this._view) return;
    const bar = event.currentTarget as HTMLElement;
    const box = bar.getBoundingClientRect();
    void this._play(momentAt(this._view, (event.clientX - box.left) / box.width));
  }

  private _onWheel(event: WheelEvent): void {
    if (!this._view || !this._day) return;
    event.preventDefault();
    const bar = event.currentTarget as HTMLElement;
    const box = bar.getBoundingClientRect();
    const at = momentAt(this._view, (event.clientX - box.left) / box.width);
    this._view = event.deltaY < 0 ? zoomed(this._day, at) : this._day;
  }

  private _zoom(): void {
    if (!this._view || !this._day) return;
    const wide = this._view.end - this._view.start > HOUR;
    const around = this._frame ?? this._day.end - HOUR / 2;
    this._view = wide ? zoomed(this._day, around) : this._day;
  }

  private _shiftDay(days: number): void {
    if (!this._day || !this._timeline) return;
    const oldest = Date.parse(this._timeline.retention.recordings);
    let end = Math.min(Date.now(), this._day.end + days * DAY);
    end = Math.max(end, oldest + HOUR);
    this._day = { start: end - DAY, end };
    this._view = this._day;
    this._timeline = undefined;
    void this._load();
  }

  // A day from the date picker: that local day, or the last 24 h for today.
  private _pickDay(event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    if (!value) return;
    const [year, month, day] = value.split("-").map(Number);
    const midnight = new Date(year, month - 1, day + 1).getTime();
    const end = Math.min(Date.now(), midnight);
    this._day = { start: end - DAY, end };
    this._view = this._day;
    this._timeline = undefined;
    void this._load();
  }

  private _playOn(event: Event): void {
    const select = event.target as HTMLSelectElement;
    const player = select.value;
    select.value = "";
    if (!player || !this.hass || !this._config || !this._view) return;
    const start = this._frame ?? this._view.start;
    const end = this._playback?.end ? Date.parse(this._playback.end) : this._view.end;
    this.hass
      .callService(DOMAIN, "play_recording", {
        entity_id: this._config.entity,
        media_player: player,
        start: new Date(start).toISOString(),
        end: new Date(Math.min(end, Date.now())).toISOString(),
      })
      .then(
        () => {
          const name = this.hass?.states[player]?.attributes.friendly_name ?? player;
          this._message = this._t("sent", { player: String(name) });
        },
        (err: Error) => {
          this._message = err.message;
        },
      );
  }

  private _streamState(camera: HassEntity | undefined): string {
    if (!camera || camera.state === "unavailable") return this._t("offline");
    if (camera.state === "streaming") return this._t("streaming");
    return this._t("starting");
  }

  override render() {
    if (!this._config || !this.hass) return nothing;
    const camera = this.hass.states[this._config.entity];
    const height = this._config.height;
    return html`<ha-card>
      <div class="media" style=${height ? `height:${height}px` : ""}>
        ${this._playback?.url
          ? this._renderRecording(this._playback.url)
          : camera
            ? html`<ha-camera-stream
                .hass=${this.hass}
                .stateObj=${camera}
                muted
                controls
              ></ha-camera-stream>`
            : nothing}
        <div class="overlay">
          <span class="name">${camera?.attributes.friendly_name ?? this._config.entity}</span>
          ${this._playback && this._frame !== undefined
            ? html`<span class="clock">${this._time(this._frame, true)}</span>`
            : html`<span class="state">${this._streamState(camera)}</span>`}
        </div>
      </div>
      ${this._message
        ? html`<div class="message">
            ${this._message}
            ${this._closest
              ? html`<button
                  @click=${() => void this._play(Date.parse(this._closest!.start))}
                >
                  ${this._t("closest", {
                    span: `${this._time(Date.parse(this._closest.start))}–${this._time(
                      Date.parse(this._closest.end),
                    )}`,
                  })}
                </button>`
              : nothing}
          </div>`
        : nothing}
      ${this._config.show_timeline === false ? nothing : this._renderTimeline()}
    </ha-card>`;
  }

  private _renderRecording(url: string) {
    if (customElements.get("ha-hls-player")) {
      return html`<ha-hls-player
        class="recording"
        .hass=${this.hass}
        .url=${url}
        autoplay
        playsinline
        muted
        controls
      ></ha-hls-player>`;
    }
    return html`<video class="recording" src=${url} autoplay playsinline muted controls></video>`;
  }

  private _renderTimeline() {
    const view = this._view;
    const timeline = this._timeline;
    if (this._error) return html`<div class="message">${this._error}</div>`;
    if (!view || !timeline) return html`<div class="message">${this._t("loading")}</div>`;
    const wide = view.end - view.start > HOUR;
    const step = wide ? 3 : 1;
    const left = (t: number) => `${(fraction(view, t) * 100).toFixed(3)}%`;
    const now = Date.parse(timeline.now);
    const players = Object.values(this.hass?.states ?? {}).filter((s) =>
      s.entity_id.startsWith("media_player."),
    );
    return html`<div class="controls">
        <button @click=${() => this._shiftDay(-1)} title=${this._t("previous_day")}>‹</button>
        <button @click=${() => this._shiftDay(1)} title=${this._t("next_day")}>›</button>
        <input
          class="date"
          type="date"
          aria-label=${this._t("date")}
          min=${dateValue(Date.parse(timeline.retention.recordings))}
          max=${dateValue(Date.now())}
          .value=${dateValue(this._day ? this._day.end - 1 : Date.now())}
          @change=${this._pickDay}
        />
        <button class="zoom" @click=${this._zoom}>
          ${wide ? this._t("zoom_in") : this._t("zoom_out")}
        </button>
        ${this._playback
          ? html`<button class="live" @click=${this._live}>${this._t("live")}</button>`
          : nothing}
        ${this._config?.show_play_on === false
          ? nothing
          : html`<select class="play-on" @change=${this._playOn}>
              <option value="">${this._t("play_on")}</option>
              ${players.map(
                (p) =>
                  html`<option
                    value=${p.entity_id}
                    ?selected=${false}
                  >${p.attributes.friendly_name ?? p.entity_id}</option>`,
              )}
            </select>`}
      </div>
      ${timeline.records
        ? nothing
        : html`<div class="message">${this._t("no_recordings")}</div>`}
      <div class="timeline" @click=${this._onTimelineClick} @wheel=${this._onWheel}>
        ${timeline.recorded.map((span) => {
          const start = Math.max(Date.parse(span.start), view.start);
          const end = Math.min(Date.parse(span.end), view.end);
          if (end <= start) return nothing;
          return html`<div
            class="span"
            data-start=${span.start}
            data-end=${span.end}
            style="left:${left(start)};width:${((fraction(view, end) - fraction(view, start)) * 100).toFixed(3)}%"
          ></div>`;
        })}
        ${timeline.alarms
          .filter((a) => Date.parse(a.time) >= view.start && Date.parse(a.time) <= view.end)
          .map(
            (alarm) => html`<button
              class="alarm ${alarm.kind}"
              style="left:${left(Date.parse(alarm.time))}"
              title="${alarmKind(this._language, alarm.kind)} ${this._time(
                Date.parse(alarm.time),
                true,
              )}"
              @click=${(event: Event) => {
                event.stopPropagation();
                void this._play(Date.parse(alarm.time) - PRE_ROLL);
              }}
            ></button>`,
          )}
        ${now >= view.start && now <= view.end
          ? html`<div class="now" style="left:${left(now)}"></div>`
          : nothing}
        ${this._frame !== undefined && this._frame >= view.start && this._frame <= view.end
          ? html`<div class="cursor" style="left:${left(this._frame)}"></div>`
          : nothing}
      </div>
      <div class="hours">
        ${hourMarks(view, step).map(
          (t) => html`<span style="left:${left(t)}">${this._time(t)}</span>`,
        )}
      </div>`;
  }

  static override styles = css`
    ha-card {
      overflow: hidden;
    }
    .media {
      position: relative;
      background: #000;
      min-height: 120px;
    }
    ha-camera-stream,
    ha-hls-player,
    video {
      display: block;
      width: 100%;
      height: 100%;
    }
    .overlay {
      position: absolute;
      top: 0;
      left: 0;
      right: 0;
      display: flex;
      /* On the right: cameras print their own clock and name at the top left. */
      justify-content: flex-end;
      gap: 12px;
      padding: 4px 8px;
      color: #fff;
      background: linear-gradient(rgba(0, 0, 0, 0.5), transparent);
      pointer-events: none;
      font-size: 14px;
    }
    .clock {
      font-variant-numeric: tabular-nums;
    }
    .message {
      padding: 6px 12px;
      color: var(--secondary-text-color);
    }
    .controls {
      display: flex;
      gap: 6px;
      align-items: center;
      padding: 6px 8px 0;
      flex-wrap: wrap;
    }
    button,
    select,
    input.date {
      font: inherit;
      color: var(--primary-text-color);
      background: var(--secondary-background-color, #eee);
      border: 1px solid var(--divider-color, #ccc);
      border-radius: 4px;
      padding: 2px 8px;
      cursor: pointer;
    }
    .play-on {
      margin-left: auto;
    }
    .timeline {
      position: relative;
      height: 28px;
      margin: 8px;
      background: var(--secondary-background-color, #eee);
      border-radius: 4px;
      cursor: pointer;
      touch-action: pan-y;
    }
    .span {
      position: absolute;
      top: 0;
      bottom: 0;
      background: var(--primary-color, #03a9f4);
      opacity: 0.8;
    }
    .alarm {
      position: absolute;
      top: -4px;
      width: 10px;
      height: 10px;
      padding: 0;
      margin-left: -5px;
      border-radius: 50%;
      background: var(--error-color, #db4437);
      border: 1px solid var(--card-background-color, #fff);
    }
    .alarm.motion {
      background: var(--warning-color, #ffa600);
    }
    .alarm.tampering,
    .alarm.device_fault {
      background: var(--disabled-text-color, #888);
    }
    .now,
    .cursor {
      position: absolute;
      top: -2px;
      bottom: -2px;
      width: 2px;
      background: var(--primary-text-color, #000);
      pointer-events: none;
    }
    .cursor {
      background: var(--accent-color, #ff9800);
    }
    .hours {
      position: relative;
      height: 16px;
      margin: 0 8px 8px;
      font-size: 11px;
      color: var(--secondary-text-color);
    }
    .hours span {
      position: absolute;
      transform: translateX(-50%);
      white-space: nowrap;
    }
  `;
}

// The frontend replaces window.customElements with a scoped registry (a polyfill) as
// its app starts, and this module may run before that: an element defined in the
// registry it replaces would never be found. Defined once the app's own element is.
void customElements.whenDefined("home-assistant").then(() => {
  for (const [tag, element] of [
    ["volcengine-slow-live-card", SlowLiveCard],
    ["volcengine-slow-live-card-editor", SlowLiveCardEditor],
  ] as const) {
    if (!window.customElements.get(tag)) window.customElements.define(tag, element);
  }
});

window.customCards = window.customCards ?? [];
window.customCards.push({
  type: "volcengine-slow-live-card",
  name: localize(navigator.language, "name"),
  description: localize(navigator.language, "description"),
  preview: true,
  documentationURL: "https://github.com/volcengine-slow-live/ha-volcengine-slow-live",
});
