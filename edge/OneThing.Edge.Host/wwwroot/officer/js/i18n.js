// Every UI string of the officer app. Chinese by default; English when the browser's languages ask for English first.
const zh = {
  appName: '执法终端',
  username: '设备账号',
  password: '密码',
  login: '登录',
  loginHint: '用本终端的设备账号和密码登录',
  logout: '退出登录',
  loginWrong: '账号或密码错误',
  loginNotPda: '该账号不是执法终端 (PDA)',
  loginOffline: '无法连接网关，请检查网络',
  tasks: '任务',
  newReport: '上报',
  outbox: '发件箱',
  noTasks: '暂无待处理任务',
  noReports: '还没有上报记录',
  online: '在线',
  offline: '离线',
  connecting: '连接中…',
  plate: '车牌',
  lane: '车道',
  place: '地点',
  reason: '原因',
  note: '备注',
  photo: '照片',
  takePhoto: '拍照',
  retakePhoto: '重拍',
  readingPlate: '正在识别车牌…',
  plateRead: '已识别车牌，请核对',
  plateNotRead: '未识别出车牌，请手动输入',
  plateReadFailed: '车牌识别不可用，请手动输入',
  chooseLane: '选择车道',
  submit: '提交',
  saved: '已保存，等待发送',
  needPhoto: '请先拍照',
  needPlate: '请填写车牌',
  needLane: '请选择车道',
  ticketed: '已开罚单',
  answerTask: '拍照并回复“已开罚单”',
  back: '返回',
  sinceNotice: (m) => `通知后 ${m} 分钟`,
  dueIn: (m) => (m >= 0 ? `${m} 分钟内处理` : `已超时 ${-m} 分钟`),
  minutesAgo: (m) => `${m} 分钟前`,
  stateWaiting: '等待网络',
  stateSent: '已发送，等待回执',
  stateAccepted: '已受理',
  stateDuplicate: '重复（已受理过）',
  stateRejected: '被拒绝',
  stateReplaced: '已更正重发',
  resend: '重新发送',
  correct: '更正',
  correcting: '正在更正被拒绝的上报',
  taskAnswer: '任务回复',
  codes: {
    'too-large': '上报太大，请少拍几张或重拍',
    'invalid-json': '上报格式错误',
    'missing-field': '缺少必填项',
    'invalid-field': '有一项内容无效',
    'bad-report-id': '上报编号无效',
    'bad-time': '时间无效，请检查设备时间',
    'bad-plate': '车牌号码格式不对',
    'unknown-lane': '网关不认识这条车道',
    'too-many-photos': '照片太多',
    'photo-not-image': '照片不是图片',
    'photo-too-large': '照片太大',
    'not-your-task': '这个任务不是你的，或已处理，或车牌不符',
  },
};

const en = {
  appName: 'Officer terminal',
  username: 'Device login',
  password: 'Password',
  login: 'Log in',
  loginHint: "Log in with this terminal's device login and password",
  logout: 'Log out',
  loginWrong: 'Wrong login or password',
  loginNotPda: 'This login is not an officer PDA',
  loginOffline: 'Cannot reach the gateway; check the network',
  tasks: 'Tasks',
  newReport: 'Report',
  outbox: 'Outbox',
  noTasks: 'No open tasks',
  noReports: 'No reports yet',
  online: 'online',
  offline: 'offline',
  connecting: 'connecting…',
  plate: 'Plate',
  lane: 'Lane',
  place: 'Place',
  reason: 'Reason',
  note: 'Note',
  photo: 'Photo',
  takePhoto: 'Take photo',
  retakePhoto: 'Take again',
  readingPlate: 'Reading the plate…',
  plateRead: 'Plate read; please check it',
  plateNotRead: 'No plate read; please type it',
  plateReadFailed: 'Plate reading unavailable; please type it',
  chooseLane: 'Choose the lane',
  submit: 'Submit',
  saved: 'Saved, waiting to send',
  needPhoto: 'Take a photo first',
  needPlate: 'Enter the plate',
  needLane: 'Choose the lane',
  ticketed: 'Ticketed',
  answerTask: 'Take a photo and answer "ticketed"',
  back: 'Back',
  sinceNotice: (m) => `${m} min since the notice`,
  dueIn: (m) => (m >= 0 ? `due in ${m} min` : `${-m} min overdue`),
  minutesAgo: (m) => `${m} min ago`,
  stateWaiting: 'waiting for network',
  stateSent: 'sent, waiting for receipt',
  stateAccepted: 'accepted',
  stateDuplicate: 'duplicate (already accepted)',
  stateRejected: 'rejected',
  stateReplaced: 'corrected and sent again',
  resend: 'Send again',
  correct: 'Correct',
  correcting: 'Correcting a rejected report',
  taskAnswer: 'task answer',
  codes: {
    'too-large': 'The report is too large; take fewer or smaller photos',
    'invalid-json': 'The report is malformed',
    'missing-field': 'A required field is missing',
    'invalid-field': 'A field is not valid',
    'bad-report-id': 'The report id is not valid',
    'bad-time': 'The time is not valid; check the device clock',
    'bad-plate': 'The plate number is not a valid plate',
    'unknown-lane': 'The gateway does not know this lane',
    'too-many-photos': 'Too many photos',
    'photo-not-image': 'A photo is not an image',
    'photo-too-large': 'A photo is too large',
    'not-your-task': 'This task is not yours, already closed, or the plate differs',
  },
};

function pickLanguage(languages) {
  for (const language of languages || []) {
    const tag = language.toLowerCase();
    if (tag.startsWith('zh')) return 'zh';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh';
}

export const language = pickLanguage(navigator.languages);
const strings = language === 'en' ? en : zh;

/** The string for a key; a function entry is called with the arguments. */
export function t(key, ...args) {
  const value = strings[key];
  if (typeof value === 'function') return value(...args);
  return value ?? key;
}

/** A rejection in plain words: the code's sentence, else the gateway's reason. */
export function rejection(code, reason) {
  return strings.codes[code] || reason || code || '';
}

/** Fills every [data-i18n] element's text and [data-i18n-placeholder] placeholder. */
export function translate(root = document) {
  document.documentElement.lang = language === 'en' ? 'en' : 'zh-CN';
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll('[data-i18n-placeholder]')) element.placeholder = t(element.dataset.i18nPlaceholder);
}
