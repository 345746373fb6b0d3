// The parts of Home Assistant's frontend objects the card uses.

export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown> & { friendly_name?: string };
  last_changed: string;
}

export interface HassEntityRegistryDisplayEntry {
  entity_id: string;
  platform?: string;
  device_id?: string;
}

export interface HomeAssistant {
  states: Record<string, HassEntity>;
  entities?: Record<string, HassEntityRegistryDisplayEntry>;
  locale: { language: string; time_zone?: string };
  language: string;
  config: { time_zone: string };
  callWS<T>(msg: Record<string, unknown>): Promise<T>;
  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
  ): Promise<unknown>;
  connection: {
    subscribeEvents(
      callback: (event: unknown) => void,
      eventType: string,
    ): Promise<() => void>;
  };
}

export interface CardConfig {
  type: string;
  entity: string;
  media_player?: string;
  height?: number;
  show_timeline?: boolean;
  show_play_on?: boolean;
}

export interface Span {
  start: string;
  end: string;
}

export interface TimelineAlarm {
  id: string;
  time: string;
  kind: string;
  priority: number | null;
  description: string;
  picture: string;
}

export interface Timeline {
  entity_id: string;
  start: string;
  end: string;
  now: string;
  records: boolean;
  recorded: Span[];
  alarms: TimelineAlarm[];
  reports_alarms: boolean;
  retention: { recordings: string; alarms: string };
}

export interface Playback {
  url: string | null;
  start?: string;
  end?: string;
  expires?: string;
  requested: string;
  moment_recorded: boolean;
  before: Span | null;
  after: Span | null;
}

export const DOMAIN = "volcengine_slow_live";
