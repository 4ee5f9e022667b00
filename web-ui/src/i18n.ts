/** Every visible string goes through t(); English and French to start (the tables of screens and forms use the same defineStrings). */
import type { FlagCode } from '../../src/protocol/flag-codes.js';
import type { LesionClass, LesionMargin, LesionOrientation } from '../../src/protocol/lesion-categories.js';
import { accessEn, accessFr } from './access/strings';
import { liveEn, liveFr } from './live/strings';
import { scaleEn, scaleFr } from './live/scale-strings';
import { techEn, techFr } from './screens/system/strings';
import { type Lang, type StringTable, defineStrings } from './strings-table';

const dicts = defineStrings({
  en: {
    connecting: 'connecting…',
    live: 'live',
    reconnecting: 'reconnecting…',
    openedElsewhere: 'Opened on another tab/device · reload to view here',
    noSignal: 'NO LIVE SIGNAL',
    frozen: 'FROZEN',
    fetalHead: 'Fetal head',
    unverified: 'AI proposal · unverified',
    edited: 'edited by you · not saved',
    saved: 'saved',
    hc: 'HC',
    bpd: 'BPD',
    ofd: 'OFD',
    ga: 'GA (Hadlock)',
    centile: 'HC centile',
    quality: 'Quality',
    confidence: 'conf',
    overlay: 'Overlay',
    enhance: 'Enhanced view (display only)',
    opacity: 'Opacity',
    freeze: 'Freeze',
    unfreeze: 'Live',
    best: 'Best frame',
    confirm: 'Confirm',
    reset: 'Undo edits',
    exam: 'Exam',
    noExam: 'No exam in progress',
    startExam: 'Start exam',
    anonymous: 'Anonymous',
    patientName: 'Name (FAMILY^GIVEN)',
    patientId: 'Patient ID',
    datingGa: 'Dating GA (weeks)',
    operator: 'Your name',
    closeExam: 'Close exam',
    captures: 'captures',
    language: 'Language',
    confirmed: 'Confirmed and saved',
    corrected: 'Corrected and saved',
    needExam: 'Start an exam first',
    needOperator: 'Enter your name first',
    noCentile: 'no centile',
    fps: 'fps',
    latency: 'latency',
    provider: 'provider',
    cine: 'Cine',
    calibrate: 'Calibrate',
    calDistance: 'Distance between the 2 points (mm)',
    apply: 'Apply',
    calTap: 'Tap two points a known distance apart',
    calibrated: 'Calibrated',
    liveTab: 'Live',
    exams: 'Exams',
    growth: 'Growth',
    system: 'System',
    models: 'Models',
    date: 'Date',
    patient: 'Patient',
    syncState: 'Sync',
    gaAxis: 'Gestational age (weeks)',
    hcAxis: 'HC (mm)',
    noGrowth: 'No exam with a patient ID and dating GA yet.',
    source: 'Source',
    switchSource: 'Switch source',
    uptime: 'Up',
    queue: 'Sync queue',
    disk: 'Data',
    examType: 'Exam type',
    obstetric: 'Obstetric',
    breast: 'Breast',
    breastLesion: 'Breast lesion',
    lesionClass: 'AI class',
    malignancy: 'Malignancy (AI)',
    maxDiameter: 'Max diameter',
    perpDiameter: 'Perpendicular',
    orientation: 'Orientation',
    margin: 'Margin',
    parallel: 'parallel (wider than tall)',
    notParallel: 'not parallel (taller than wide)',
    circumscribed: 'circumscribed',
    irregular: 'irregular',
    normal: 'normal',
    benign: 'benign',
    malignant: 'malignant',
    ...liveEn,
    ...scaleEn,
    ...accessEn,
    ...techEn,
  },
  fr: {
    connecting: 'connexion…',
    live: 'direct',
    reconnecting: 'reconnexion…',
    openedElsewhere: 'Ouvert dans un autre onglet/appareil · rechargez pour voir ici',
    noSignal: 'PAS DE SIGNAL',
    frozen: 'GELÉ',
    fetalHead: 'Tête fœtale',
    unverified: 'Proposition IA · non vérifiée',
    edited: 'modifié par vous · non enregistré',
    saved: 'enregistré',
    hc: 'PC',
    bpd: 'BIP',
    ofd: 'DOF',
    ga: 'AG (Hadlock)',
    centile: 'Centile PC',
    quality: 'Qualité',
    confidence: 'conf',
    overlay: 'Superposition',
    enhance: 'Vue améliorée (affichage seul)',
    opacity: 'Opacité',
    freeze: 'Geler',
    unfreeze: 'Direct',
    best: 'Meilleure image',
    confirm: 'Valider',
    reset: 'Annuler',
    exam: 'Examen',
    noExam: 'Aucun examen en cours',
    startExam: 'Commencer',
    anonymous: 'Anonyme',
    patientName: 'Nom (NOM^PRÉNOM)',
    patientId: 'ID patiente',
    datingGa: 'AG de datation (sem.)',
    operator: 'Votre nom',
    closeExam: "Clore l'examen",
    captures: 'captures',
    language: 'Langue',
    confirmed: 'Validé et enregistré',
    corrected: 'Corrigé et enregistré',
    needExam: "Commencez d'abord un examen",
    needOperator: "Saisissez d'abord votre nom",
    noCentile: 'pas de centile',
    fps: 'i/s',
    latency: 'latence',
    provider: 'moteur',
    cine: 'Ciné',
    calibrate: 'Étalonner',
    calDistance: 'Distance entre les 2 points (mm)',
    apply: 'Appliquer',
    calTap: 'Touchez deux points à distance connue',
    calibrated: 'Étalonné',
    liveTab: 'Direct',
    exams: 'Examens',
    growth: 'Croissance',
    system: 'Système',
    models: 'Modèles',
    date: 'Date',
    patient: 'Patiente',
    syncState: 'Envoi',
    gaAxis: 'Âge gestationnel (semaines)',
    hcAxis: 'PC (mm)',
    noGrowth: "Aucun examen avec ID patiente et AG de datation pour l'instant.",
    source: 'Source',
    switchSource: 'Changer de source',
    uptime: 'En service',
    queue: "File d'envoi",
    disk: 'Données',
    examType: "Type d'examen",
    obstetric: 'Obstétrique',
    breast: 'Sein',
    breastLesion: 'Lésion mammaire',
    lesionClass: 'Classe (IA)',
    malignancy: 'Malignité (IA)',
    maxDiameter: 'Grand axe',
    perpDiameter: 'Perpendiculaire',
    orientation: 'Orientation',
    margin: 'Contours',
    parallel: 'parallèle (plus large que haute)',
    notParallel: 'non parallèle (plus haute que large)',
    circumscribed: 'circonscrits',
    irregular: 'irréguliers',
    normal: 'normal',
    benign: 'bénin',
    malignant: 'malin',
    ...liveFr,
    ...scaleFr,
    ...accessFr,
    ...techFr,
  },
});
export type Key = keyof typeof dicts.en;
export type { Lang };
let lang: Lang = (localStorage.getItem('sonoedge.lang') as Lang | null) ?? (navigator.language.startsWith('fr') ? 'fr' : 'en');

export function t(key: Key): string {
  return dicts.text(key, lang);
}

/** The lookup of a screen's own table (defineStrings) in the page's language, as t() is for the page's. */
export function translator<K extends string>(table: StringTable<K>): (key: K) => string {
  return (key) => table.text(key, lang);
}

export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem('sonoedge.lang', l);
  document.documentElement.lang = l;
  applyI18n();
}

export function currentLang(): Lang {
  return lang;
}

/** Fills every element carrying data-i18n="key" (text) or data-i18n-placeholder="key". */
export function applyI18n(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => (el.textContent = t(el.dataset.i18n as Key)));
  root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]').forEach((el) => (el.placeholder = t(el.dataset.i18nPlaceholder as Key)));
  root.querySelectorAll<HTMLElement>('[data-i18n-label]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nLabel as Key)));
}

/** Decision-support flags come with an English message from the daemon; other languages use these. */
const flagText: Record<Exclude<Lang, 'en'>, Record<FlagCode, string>> = {
  fr: {
    'no-head': 'Aucune tête fœtale trouvée sur cette image.',
    'blank-image': "L'image est vide (pas de signal échographique) : rien à mesurer.",
    'head-cut': "La tête est coupée par le bord de l'image ; déplacez la sonde pour la voir en entier.",
    'poor-fit': 'Le contour ne suit pas bien une ellipse ; vérifiez la mesure.',
    'low-confidence': "Le modèle n'est pas sûr de ce contour.",
    'implausible-shape': 'Le contour ne ressemble pas à une tête fœtale.',
    'no-pixel-spacing': 'Taille des pixels inconnue : mesures en pixels seulement, sans PC en mm ni âge gestationnel.',
    'ga-out-of-range': "PC hors de la plage de la formule de Hadlock : l'âge gestationnel est peu fiable.",
    'no-centile': 'Pas de centile : la norme INTERGROWTH-21st couvre 14 à 40 semaines.',
    'hc-implausible-for-ga': 'PC invraisemblable pour ce terme : vérifiez la datation et la mesure.',
    'hc-below-p3': 'Périmètre crânien sous le 3e centile : envisagez une orientation.',
    'hc-above-p97': 'Périmètre crânien au-dessus du 97e centile : envisagez une orientation.',
    'input-16-bit': 'Image 16 bits ramenée à 8 bits avant analyse.',
    'colour-input': 'Image en couleur convertie en niveaux de gris ; le Doppler couleur peut tromper le modèle.',
    'hc-centile-falling': "La croissance de la tête ralentit (baisse de plus d'un écart-type) : envisagez un bilan de croissance.",
    'no-lesion': 'Aucune lésion délimitée sur cette image.',
    'lesion-cut': "La lésion touche le bord de l'image : sa taille peut être sous-estimée.",
    'class-mask-disagree': 'Le classificateur et le contour ne concordent pas : vérifiez vous-même.',
    'colour-doppler': 'Image Doppler couleur : aucune classe donnée. Utilisez une image en mode B.',
    'tiny-image': 'Image trop petite pour juger les contours de façon fiable.',
    'suspicious-features': 'Signes suspects — envisagez une orientation pour biopsie.',
    'other-regions': "D'autres zones suspectes, moins sûres, n'ont pas été mesurées : regardez toute l'image.",
    'unsure-outline': 'Contour de la lésion incertain : vérifiez-le (taille, orientation, contours) avant de vous y fier.',
    'hc-crossed-below-p10': 'Le PC est passé sous le 10e centile : envisagez un bilan de croissance.',
    'not-ultrasound':
      "Cette image ne ressemble pas à une image échographique (masque ou carte d'étiquettes ?) : aucune mesure n'est donnée. Vérifiez les fichiers de la source (relecture : son motif).",
  },
};

export function flagMessage(code: string, english: string): string {
  return lang === 'en' ? english : ((flagText[lang] as Record<string, string>)[code] ?? english);
}

/** The label of each BI-RADS category value the protocol defines (src/protocol/lesion-categories.ts). */
export const categoryKey: Record<LesionClass | LesionOrientation | LesionMargin, Key> = {
  normal: 'normal',
  benign: 'benign',
  malignant: 'malignant',
  parallel: 'parallel',
  'not-parallel': 'notParallel',
  circumscribed: 'circumscribed',
  irregular: 'irregular',
};
