// The card's own words, in English and 简体中文 (chosen from the user's language).

const EN = {
  name: "Slow Live camera",
  description: "Live view with a timeline of the day's recordings and alarms.",
  live: "Live",
  streaming: "Streaming",
  starting: "Starts when watched",
  offline: "Offline",
  unavailable: "Unavailable",
  loading: "Loading…",
  nothing_recorded: "Nothing recorded at {time}.",
  closest: "Play {span}",
  playing_from: "Nothing recorded at {time}; playing from {start}.",
  play_on: "Play on…",
  sent: "Sent to {player}.",
  previous_day: "Previous day",
  next_day: "Next day",
  date: "Day",
  zoom_in: "1 hour",
  zoom_out: "24 hours",
  no_recordings: "This camera is not recorded.",
  error: "Could not load: {message}",
  camera: "Camera",
  media_player: "Default media player",
  height: "Height (px)",
  show_timeline: "Show the timeline",
  show_play_on: "Show “Play on…”",
  alarm_motion: "Motion",
  alarm_intrusion: "Intrusion",
  alarm_line_crossing: "Line crossing",
  alarm_loitering: "Loitering",
  alarm_object: "Object left or removed",
  alarm_tampering: "Tampering or video loss",
  alarm_device_fault: "Device fault",
  alarm_other: "Other alarm",
};

type Key = keyof typeof EN;

const ZH: Record<Key, string> = {
  name: "慢直播摄像头",
  description: "实时画面，下方是当天录像和报警的时间轴。",
  live: "直播",
  streaming: "直播中",
  starting: "观看时开始拉流",
  offline: "离线",
  unavailable: "不可用",
  loading: "加载中…",
  nothing_recorded: "{time} 没有录像。",
  closest: "播放 {span}",
  playing_from: "{time} 没有录像；从 {start} 开始播放。",
  play_on: "在…上播放",
  sent: "已发送到 {player}。",
  previous_day: "前一天",
  next_day: "后一天",
  date: "日期",
  zoom_in: "1 小时",
  zoom_out: "24 小时",
  no_recordings: "此摄像头没有云端录像。",
  error: "加载失败：{message}",
  camera: "摄像头",
  media_player: "默认播放器",
  height: "高度（像素）",
  show_timeline: "显示时间轴",
  show_play_on: "显示“在…上播放”",
  alarm_motion: "移动侦测",
  alarm_intrusion: "区域入侵",
  alarm_line_crossing: "越线",
  alarm_loitering: "徘徊",
  alarm_object: "物品遗留或移走",
  alarm_tampering: "遮挡或视频丢失",
  alarm_device_fault: "设备故障",
  alarm_other: "其他报警",
};

export function localize(
  language: string | undefined,
  key: Key,
  values: Record<string, string> = {},
): string {
  const table = (language ?? "").toLowerCase().startsWith("zh") ? ZH : EN;
  return table[key].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "");
}

export function alarmKind(language: string | undefined, kind: string): string {
  const key = `alarm_${kind}` as Key;
  return key in EN ? localize(language, key) : kind;
}
