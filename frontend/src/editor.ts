// The card's visual editor: Home Assistant's own form, cameras limited to ours.
import { LitElement, html } from "lit";
import { localize } from "./strings";
import { CardConfig, DOMAIN, HomeAssistant } from "./types";

interface SchemaItem {
  name: keyof CardConfig;
}

export class SlowLiveCardEditor extends LitElement {
  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
  };

  hass?: HomeAssistant;
  private _config?: CardConfig;

  setConfig(config: CardConfig): void {
    this._config = config;
  }

  private get _schema() {
    return [
      {
        name: "entity",
        required: true,
        selector: { entity: { filter: { domain: "camera", integration: DOMAIN } } },
      },
      {
        name: "media_player",
        selector: { entity: { filter: { domain: "media_player" } } },
      },
      { name: "height", selector: { number: { min: 120, max: 1200, mode: "box" } } },
      { name: "show_timeline", selector: { boolean: {} } },
      { name: "show_play_on", selector: { boolean: {} } },
    ];
  }

  override render() {
    if (!this.hass || !this._config) return html``;
    const data = { show_timeline: true, show_play_on: true, ...this._config };
    return html`<ha-form
      .hass=${this.hass}
      .data=${data}
      .schema=${this._schema}
      .computeLabel=${(item: SchemaItem) =>
        localize(
          this.hass?.locale?.language,
          (item.name === "entity" ? "camera" : item.name) as never,
        )}
      @value-changed=${this._changed}
    ></ha-form>`;
  }

  private _changed(event: CustomEvent<{ value: CardConfig }>): void {
    event.stopPropagation();
    const config = { ...event.detail.value };
    this.dispatchEvent(
      new CustomEvent("config-changed", {
        detail: { config },
        bubbles: true,
        composed: true,
      }),
    );
  }
}
