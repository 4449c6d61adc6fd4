// i18n.js holds every text of the pages in Korean (the default) and English,
// the language switch (kept in localStorage), and the formatting of numbers,
// durations, clock times and weekdays in the current language.

const LANG_KEY = 'classmate.lang';

const ko = {
  'skip': '본문 바로가기',
  'brand.sub': '수강신청',
  'lang.toggle': 'English',
  'lang.short': 'EN',
  'lang.toggle.label': 'Switch to English',
  'logout': '로그아웃',
  'who': '{name} · {no}',
  'close': '닫기',
  'back': '돌아가기',

  'login.title': '수강신청 대기실',
  'login.lead': '학번과 비밀번호로 로그인하면 바로 대기열에 들어갑니다. 순번은 들어온 순서대로 정해집니다.',
  'login.studentNo': '학번',
  'login.studentNo.hint': '10자리 숫자 (예: 2026000001)',
  'login.password': '비밀번호',
  'login.submit': '로그인하고 줄서기',
  'login.busy': '로그인 중…',
  'login.invalidNo': '학번은 10자리 숫자입니다.',
  'login.noPassword': '비밀번호를 입력해 주세요.',
  'login.wrong': '학번 또는 비밀번호가 올바르지 않습니다.',
  'login.tip1': '대기 중에는 이 창을 열어 두세요.',
  'login.tip2': '새로고침하거나 잠시 연결이 끊겨도 순번은 그대로입니다.',
  'login.tip3': '차례가 되면 수강신청 화면으로 자동 이동합니다.',

  'queue.joining': '대기열에 들어가는 중…',
  'queue.label': '대기 순번',
  'queue.unit': '번',
  'queue.state.waiting': '대기 중',
  'queue.state.prequeue': '사전 대기',
  'queue.state.admitted': '입장',
  'queue.ahead': '내 앞 대기',
  'queue.aheadValue': '{n}명',
  'queue.eta': '예상 대기 시간',
  'queue.etaValue': '약 {d}',
  'queue.etaRange': '{lo} ~ {hi}',
  'queue.etaUnknown': '계산 중',
  'queue.etaSoon': '곧 입장',
  'queue.progress': '진행률',
  'queue.progressValue': '{p}%',
  'queue.keepOpen': '이 창을 닫지 마세요. 새로고침하거나 잠시 연결이 끊겨도 순번은 유지됩니다.',
  'queue.head': '곧 내 차례입니다. 화면을 그대로 두세요.',

  'conn.connecting': '연결 중…',
  'conn.connected': '실시간 연결됨',
  'conn.reconnecting': '재연결 중 · {s}초 후',
  'conn.polling': '주기적으로 확인 중',
  'conn.offline': '오프라인 · 연결을 기다리는 중',

  'live.waiting': '대기 순번 {pos}번, 앞에 {ahead}명.',
  'live.prequeue': '사전 대기 중입니다. 오픈까지 {t}.',
  'live.admitted': '입장 순서입니다. 수강신청 페이지로 이동합니다.',
  'live.expired': '대기 자리가 만료되었습니다.',

  'prequeue.title': '오픈까지',
  'prequeue.note': '사전 대기열에 들어왔습니다. {time}에 대기열이 열리면 순번이 확정됩니다.',
  'prequeue.opening': '대기열이 열리고 있습니다. 순번을 확정하는 중…',
  'prequeue.position': '현재 사전 대기 {pos}번째',
  'prequeue.lottery': '추첨 방식: 오픈하는 순간 사전 대기자의 순서를 무작위로 정합니다.',
  'prequeue.seed': '추첨 시드 해시',
  'draw.summary': '추첨 검증 정보',
  'draw.commitment': '사전 공개 해시 (sha256)',
  'draw.seed': '공개된 시드',
  'draw.note': '공개된 시드의 sha256 값이 오픈 전에 공개된 해시와 같으면, 추첨 순서가 미리 약속된 시드로 정해졌음을 누구나 확인할 수 있습니다.',

  'admitted.title': '입장 순서가 되었습니다',
  'admitted.body': '수강신청 페이지로 이동합니다…',
  'admitted.go': '지금 이동',

  'expired.title': '대기 자리가 만료되었습니다',
  'expired.body': '입장 시간이 끝났거나, 대기 화면을 오래 비워 두어 자리가 사라졌습니다. 다시 줄을 서면 대기열 맨 뒤에서 시작합니다.',
  'left.title': '수강신청을 마쳤습니다',
  'left.body': '입장 자격을 반납했습니다. 신청한 과목은 그대로 유지됩니다. 다시 신청하려면 대기열에 다시 서야 합니다.',
  'expired.rejoin': '다시 줄서기',

  'notopen.title': '아직 대기열이 열리지 않았습니다',
  'notopen.body': '사전 대기는 오픈 시각 얼마 전부터 시작됩니다. 잠시 후 자동으로 다시 시도합니다.',
  'notopen.auto': '{s}초 후 자동으로 다시 시도',
  'retry': '다시 시도',
  'retryIn': '{s}초 후 다시 시도합니다.',

  'flash.sessionExpired': '로그인이 만료되었습니다. 다시 로그인해 주세요.',
  'flash.admissionEnded': '입장 시간이 끝났습니다. 다시 신청하려면 대기열에 서 주세요.',
  'flash.left': '수강신청을 마치고 나왔습니다.',
  'flash.loggedOut': '로그아웃했습니다.',

  'enroll.title': '수강신청',
  'timer.label': '남은 시간',
  'timer.warn': '입장 시간이 1분 남았습니다.',
  'timer.expiredTitle': '입장 시간이 끝났습니다',
  'timer.expiredBody': '대기실로 돌아갑니다. 신청한 과목은 그대로 유지됩니다.',
  'leave': '신청 마치기',
  'leave.title': '수강신청을 마칠까요?',
  'leave.body': '나가면 입장 자격이 끝나고, 다시 신청하려면 대기열에 다시 서야 합니다. 신청한 과목은 그대로 유지됩니다.',
  'leave.ok': '마치고 나가기',

  'cart.title': '장바구니',
  'cart.lead': '미리 담아 둔 과목을 한 번에 신청하세요.',
  'cart.empty': '장바구니가 비어 있습니다. 아래 검색에서 과목을 담아 두세요.',
  'cart.count': '{n}과목',
  'cart.refresh': '잔여석 새로고침',

  'search.title': '과목 검색',
  'search.q': '검색어',
  'search.qPlaceholder': '과목명, 교수, 과목코드, 초성 (예: ㅈㄹㄱㅈ)',
  'search.department': '학과',
  'search.departmentPlaceholder': '전체 학과',
  'search.day': '요일',
  'search.credits': '학점',
  'search.all': '전체',
  'search.submit': '검색',
  'search.more': '더 보기',
  'search.none': '조건에 맞는 과목이 없습니다.',
  'search.unavailable': '지금은 과목 검색을 사용할 수 없습니다. 장바구니에서 신청해 주세요.',
  'search.count': '{n}건 표시',
  'search.loading': '불러오는 중…',

  'course.seats': '잔여 {r} / {c}',
  'course.seatsLabel': '잔여석 {r}석, 정원 {c}명',
  'course.soldout': '마감',
  'course.credits': '{n}학점',
  'course.enroll': '신청',
  'course.enrollLabel': '{title} 신청',
  'course.enrolling': '신청 중…',
  'course.enrolled': '신청 완료',
  'course.addCart': '담기',
  'course.addCartLabel': '{title} 장바구니에 담기',
  'course.inCart': '담김',
  'course.removeCart': '빼기',
  'course.removeCartLabel': '{title} 장바구니에서 빼기',
  'course.drop': '수강 취소',
  'course.dropLabel': '{title} 수강 취소',
  'course.wait': '{s}초',

  'tt.title': '내 시간표',
  'tt.credits': '신청 학점',
  'tt.creditsValue': '{t} / {m}학점',
  'tt.empty': '아직 신청한 과목이 없습니다. 장바구니나 검색에서 신청해 보세요.',
  'tt.list': '신청 내역',
  'tt.label': '주간 시간표, 월요일부터 토요일까지',

  'drop.title': '{title} 수강을 취소할까요?',
  'drop.body': '취소하면 좌석이 바로 다른 학생에게 돌아가고, 다시 신청할 때 자리가 없을 수 있습니다.',
  'drop.ok': '수강 취소',

  'toast.enrolled': '{title} 신청 완료 · 총 {total}학점',
  'toast.dropped': '{title} 수강을 취소했습니다.',
  'toast.carted': '장바구니에 담았습니다: {title}',
  'toast.uncarted': '장바구니에서 뺐습니다: {title}',
  'toast.already': '{title}: 이미 신청한 과목입니다.',

  'day.MON': '월', 'day.TUE': '화', 'day.WED': '수', 'day.THU': '목', 'day.FRI': '금', 'day.SAT': '토',
  'dayLong.MON': '월요일', 'dayLong.TUE': '화요일', 'dayLong.WED': '수요일', 'dayLong.THU': '목요일', 'dayLong.FRI': '금요일', 'dayLong.SAT': '토요일',

  'dur.s': '{n}초', 'dur.m': '{n}분', 'dur.ms': '{m}분 {s}초', 'dur.h': '{h}시간', 'dur.hm': '{h}시간 {m}분',

  'err.BAD_REQUEST': '요청 내용이 올바르지 않습니다. 입력을 확인해 주세요.',
  'err.UNAUTHENTICATED': '로그인이 만료되었습니다. 다시 로그인해 주세요.',
  'err.ADMISSION_REQUIRED': '입장 시간이 끝났거나 입장 자격이 없습니다. 대기열로 돌아갑니다.',
  'err.FORBIDDEN': '이 작업을 할 권한이 없습니다.',
  'err.NOT_FOUND': '찾을 수 없습니다. 과목이 없어졌거나 주소가 잘못되었습니다.',
  'err.NOT_ENROLLED': '신청하지 않은 과목이라 취소할 수 없습니다.',
  'err.METHOD_NOT_ALLOWED': '지원하지 않는 요청입니다.',
  'err.CONFLICT': '다른 변경과 충돌했습니다. 새로고침한 뒤 다시 시도해 주세요.',
  'err.SOLD_OUT': '정원이 마감되어 잔여석이 없습니다.',
  'err.ALREADY_ENROLLED': '이미 신청한 과목입니다.',
  'err.PAYLOAD_TOO_LARGE': '요청이 너무 큽니다.',
  'err.UNSUPPORTED_MEDIA_TYPE': '지원하지 않는 형식의 요청입니다.',
  'err.CREDIT_LIMIT_EXCEEDED': '최대 학점을 넘습니다. 다른 과목을 취소한 뒤 신청해 주세요.',
  'err.TIME_CONFLICT': '이미 신청한 과목과 시간이 겹칩니다.',
  'err.NOT_OPEN': '아직 대기열이 열리지 않았습니다.',
  'err.RATE_LIMITED': '요청이 너무 많습니다. {s}초 후에 다시 시도해 주세요.',
  'err.UNAVAILABLE': '서비스가 잠시 혼잡합니다. 처리된 것은 없으니 {s}초 후에 다시 시도해 주세요.',
  'err.INTERNAL': '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.',
  'err.NETWORK': '서버에 연결할 수 없습니다. 네트워크 연결을 확인해 주세요.',
  'err.UNKNOWN': '알 수 없는 오류가 발생했습니다 ({code}).',
  'err.withCourse': '{title}: {msg}',
};

const en = {
  'skip': 'Skip to content',
  'brand.sub': 'Course registration',
  'lang.toggle': '한국어',
  'lang.short': '한',
  'lang.toggle.label': '한국어로 보기',
  'logout': 'Log out',
  'who': '{name} · {no}',
  'close': 'Close',
  'back': 'Go back',

  'login.title': 'Registration waiting room',
  'login.lead': 'Log in with your student number and password to join the queue. Places are given in order of arrival.',
  'login.studentNo': 'Student number',
  'login.studentNo.hint': '10 digits (e.g. 2026000001)',
  'login.password': 'Password',
  'login.submit': 'Log in and join the queue',
  'login.busy': 'Logging in…',
  'login.invalidNo': 'A student number has 10 digits.',
  'login.noPassword': 'Please enter your password.',
  'login.wrong': 'Wrong student number or password.',
  'login.tip1': 'Keep this page open while you wait.',
  'login.tip2': 'Reloading or a short disconnection keeps your place.',
  'login.tip3': 'When it is your turn you are taken to registration.',

  'queue.joining': 'Joining the queue…',
  'queue.label': 'Your place in line',
  'queue.unit': '',
  'queue.state.waiting': 'Waiting',
  'queue.state.prequeue': 'Pre-queue',
  'queue.state.admitted': 'Admitted',
  'queue.ahead': 'Ahead of you',
  'queue.aheadValue': '{n}',
  'queue.eta': 'Estimated wait',
  'queue.etaValue': 'about {d}',
  'queue.etaRange': '{lo} to {hi}',
  'queue.etaUnknown': 'estimating',
  'queue.etaSoon': 'any moment',
  'queue.progress': 'Progress',
  'queue.progressValue': '{p}%',
  'queue.keepOpen': 'Keep this page open. Your place is kept if you reload or lose the connection briefly.',
  'queue.head': 'You are next. Please keep this page open.',

  'conn.connecting': 'Connecting…',
  'conn.connected': 'Live',
  'conn.reconnecting': 'Reconnecting in {s}s',
  'conn.polling': 'Checking periodically',
  'conn.offline': 'Offline · waiting for the network',

  'live.waiting': 'Position {pos}, {ahead} ahead of you.',
  'live.prequeue': 'You are in the pre-queue. Opens in {t}.',
  'live.admitted': 'It is your turn. Moving to registration.',
  'live.expired': 'Your place has expired.',

  'prequeue.title': 'Opens in',
  'prequeue.note': 'You are in the pre-queue. Places are fixed when the queue opens at {time}.',
  'prequeue.opening': 'The queue is opening. Fixing your place…',
  'prequeue.position': 'Currently #{pos} in the pre-queue',
  'prequeue.lottery': 'Lottery: the pre-queue is put in random order the moment the queue opens.',
  'prequeue.seed': 'Lottery seed hash',
  'draw.summary': 'Verify the lottery draw',
  'draw.commitment': 'Commitment (sha256)',
  'draw.seed': 'Revealed seed',
  'draw.note': 'If the sha256 of the revealed seed equals the hash published before the opening, the order was drawn from the seed committed in advance; anyone can check it.',

  'admitted.title': 'It is your turn',
  'admitted.body': 'Taking you to registration…',
  'admitted.go': 'Go now',

  'expired.title': 'Your place has expired',
  'expired.body': 'Your admission time ended, or the waiting page was away for too long. Joining again puts you at the back of the queue.',
  'left.title': 'You have finished registration',
  'left.body': 'You gave back your admission. Your enrollments stay as they are. To register again, join the queue again.',
  'expired.rejoin': 'Join again',

  'notopen.title': 'The queue is not open yet',
  'notopen.body': 'The pre-queue starts a while before the opening time. We will try again automatically.',
  'notopen.auto': 'Trying again in {s}s',
  'retry': 'Try again',
  'retryIn': 'Trying again in {s}s.',

  'flash.sessionExpired': 'Your login has expired. Please log in again.',
  'flash.admissionEnded': 'Your admission time is over. Join the queue again to keep registering.',
  'flash.left': 'You finished registration and left.',
  'flash.loggedOut': 'You have logged out.',

  'enroll.title': 'Registration',
  'timer.label': 'Time left',
  'timer.warn': 'One minute of admission time left.',
  'timer.expiredTitle': 'Your admission time is over',
  'timer.expiredBody': 'Returning to the waiting room. Your enrollments stay as they are.',
  'leave': 'Finish',
  'leave.title': 'Finish registration?',
  'leave.body': 'Leaving ends your admission; to register again you will have to queue again. Your enrollments stay as they are.',
  'leave.ok': 'Finish and leave',

  'cart.title': 'Cart',
  'cart.lead': 'Enroll in the courses you picked beforehand with one click.',
  'cart.empty': 'Your cart is empty. Find courses below and add them.',
  'cart.count': '{n} courses',
  'cart.refresh': 'Refresh seats',

  'search.title': 'Find courses',
  'search.q': 'Search',
  'search.qPlaceholder': 'Title, professor, code, or initials (e.g. ㅈㄹㄱㅈ)',
  'search.department': 'Department',
  'search.departmentPlaceholder': 'All departments',
  'search.day': 'Day',
  'search.credits': 'Credits',
  'search.all': 'All',
  'search.submit': 'Search',
  'search.more': 'Show more',
  'search.none': 'No course matches.',
  'search.unavailable': 'Course search is not available right now. Please enroll from your cart.',
  'search.count': '{n} shown',
  'search.loading': 'Loading…',

  'course.seats': '{r} of {c} left',
  'course.seatsLabel': '{r} seats left of {c}',
  'course.soldout': 'Full',
  'course.credits': '{n} cr',
  'course.enroll': 'Enroll',
  'course.enrollLabel': 'Enroll in {title}',
  'course.enrolling': 'Enrolling…',
  'course.enrolled': 'Enrolled',
  'course.addCart': 'Add',
  'course.addCartLabel': 'Add {title} to cart',
  'course.inCart': 'In cart',
  'course.removeCart': 'Remove',
  'course.removeCartLabel': 'Remove {title} from cart',
  'course.drop': 'Drop',
  'course.dropLabel': 'Drop {title}',
  'course.wait': '{s}s',

  'tt.title': 'My timetable',
  'tt.credits': 'Credits',
  'tt.creditsValue': '{t} / {m} credits',
  'tt.empty': 'No enrollments yet. Enroll from your cart or the search.',
  'tt.list': 'Enrolled courses',
  'tt.label': 'Weekly timetable, Monday to Saturday',

  'drop.title': 'Drop {title}?',
  'drop.body': 'The seat goes back to other students at once; it may be gone if you try again later.',
  'drop.ok': 'Drop course',

  'toast.enrolled': 'Enrolled in {title} · {total} credits in total',
  'toast.dropped': 'Dropped {title}.',
  'toast.carted': 'Added to cart: {title}',
  'toast.uncarted': 'Removed from cart: {title}',
  'toast.already': '{title}: you are already enrolled.',

  'day.MON': 'Mon', 'day.TUE': 'Tue', 'day.WED': 'Wed', 'day.THU': 'Thu', 'day.FRI': 'Fri', 'day.SAT': 'Sat',
  'dayLong.MON': 'Monday', 'dayLong.TUE': 'Tuesday', 'dayLong.WED': 'Wednesday', 'dayLong.THU': 'Thursday', 'dayLong.FRI': 'Friday', 'dayLong.SAT': 'Saturday',

  'dur.s': '{n}s', 'dur.m': '{n} min', 'dur.ms': '{m} min {s}s', 'dur.h': '{h} h', 'dur.hm': '{h} h {m} min',

  'err.BAD_REQUEST': 'The request was not valid. Please check your input.',
  'err.UNAUTHENTICATED': 'Your login has expired. Please log in again.',
  'err.ADMISSION_REQUIRED': 'Your admission has ended or is missing. Returning to the queue.',
  'err.FORBIDDEN': 'You are not allowed to do this.',
  'err.NOT_FOUND': 'Not found: the course no longer exists or the address is wrong.',
  'err.NOT_ENROLLED': 'You are not enrolled in this course, so there is nothing to drop.',
  'err.METHOD_NOT_ALLOWED': 'This request is not supported.',
  'err.CONFLICT': 'This conflicts with another change. Reload and try again.',
  'err.SOLD_OUT': 'This course is full: no seats left.',
  'err.ALREADY_ENROLLED': 'You are already enrolled in this course.',
  'err.PAYLOAD_TOO_LARGE': 'The request is too large.',
  'err.UNSUPPORTED_MEDIA_TYPE': 'The request format is not supported.',
  'err.CREDIT_LIMIT_EXCEEDED': 'This would exceed your credit limit. Drop another course first.',
  'err.TIME_CONFLICT': 'It overlaps a course you already hold.',
  'err.NOT_OPEN': 'The queue is not open yet.',
  'err.RATE_LIMITED': 'Too many requests. Please try again in {s}s.',
  'err.UNAVAILABLE': 'The service is busy. Nothing was changed; please try again in {s}s.',
  'err.INTERNAL': 'Something went wrong on our side. Please try again shortly.',
  'err.NETWORK': 'Cannot reach the server. Please check your connection.',
  'err.UNKNOWN': 'An unexpected error occurred ({code}).',
  'err.withCourse': '{title}: {msg}',
};

const dictionaries = { ko, en };
const listeners = new Set();

function readLang() {
  try {
    const v = localStorage.getItem(LANG_KEY);
    if (v === 'ko' || v === 'en') return v;
  } catch { /* storage disabled: fall back to Korean */ }
  return 'ko';
}

let current = readLang();

/** lang returns the current language, "ko" or "en". */
export function lang() {
  return current;
}

/** setLang switches the language, remembers it and re-renders every listener. */
export function setLang(l) {
  current = l === 'en' ? 'en' : 'ko';
  try { localStorage.setItem(LANG_KEY, current); } catch { /* not persisted */ }
  document.documentElement.lang = current;
  applyI18n(document);
  for (const fn of listeners) fn(current);
}

/** onLangChange registers fn to run after every language switch. */
export function onLangChange(fn) {
  listeners.add(fn);
}

/** t returns the text of key in the current language with {vars} filled in. */
export function t(key, vars) {
  let s = dictionaries[current][key];
  if (s === undefined) s = ko[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
  return s;
}

/** has reports whether key has a text. */
export function has(key) {
  return key in ko;
}

/**
 * applyI18n fills every element under root that names a key: data-i18n sets
 * its text, data-i18n-placeholder, data-i18n-label (aria-label) and
 * data-i18n-title set those attributes.
 */
export function applyI18n(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

/** num formats an integer with the current language's grouping. */
export function num(n) {
  return new Intl.NumberFormat(current === 'ko' ? 'ko-KR' : 'en-US').format(n);
}

/** duration formats whole seconds as "3분 20초" / "3 min 20s". */
export function duration(sec) {
  sec = Math.max(0, Math.round(sec));
  if (sec < 60) return t('dur.s', { n: sec });
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  if (h > 0) return m > 0 ? t('dur.hm', { h, m }) : t('dur.h', { h });
  if (m < 10 && s > 0) return t('dur.ms', { m, s });
  return t('dur.m', { n: s >= 30 ? m + 1 : m });
}

/** clock formats whole seconds as "MM:SS", or "H:MM:SS" from an hour on. */
export function clock(sec) {
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** dateTime formats a Date in the browser's time zone. */
export function dateTime(d) {
  return new Intl.DateTimeFormat(current === 'ko' ? 'ko-KR' : 'en-GB', {
    month: 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit',
  }).format(d);
}

/** day returns the short name of a weekday code such as "MON". */
export function day(code) {
  return t('day.' + code);
}

/** schedule formats a course's slots as "월 09:00–10:15, 수 09:00–10:15". */
export function schedule(slots) {
  return (slots || []).map((s) => `${day(s.day)} ${s.start}–${s.end}`).join(', ');
}

document.documentElement.lang = current;
