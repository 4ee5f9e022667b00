/**
 * The report's words and formats in English and French: dates, decimals and GA by locale. The report is
 * printed on the device, in its time zone (the clinic's).
 */
import type { ExamType, MeasurementKind, MeasurementState, MeasurementUnit } from '../records/types.js';

export type ReportLang = 'en' | 'fr';
export const REPORT_LANGS: readonly ReportLang[] = ['en', 'fr'];

const en = {
  title: 'Ultrasound examination report',
  patient: 'Patient',
  name: 'Name',
  id: 'Patient ID',
  birthDate: 'Birth date',
  sex: 'Sex',
  anonymous: 'Anonymous exam (no patient recorded)',
  exam: 'Exam',
  examType: 'Exam type',
  started: 'Started',
  closed: 'Closed',
  notClosed: 'open (not closed)',
  operator: 'Operator',
  datingGa: 'Dating GA',
  printed: 'Printed',
  capture: 'Capture',
  sideLeft: 'LEFT breast',
  sideRight: 'RIGHT breast',
  sideUnknown: 'side not recorded',
  frame: 'frame',
  measurement: 'Measurement',
  ai: 'AI value',
  final: 'Final value',
  decision: 'Decision',
  noCaptures: 'No capture was saved in this exam.',
  noMeasurements: 'No AI measurement on this capture.',
  growth: 'Growth',
  hcCentile: 'HC centile (INTERGROWTH-21st, dating GA)',
  noFlags: 'No growth flag.',
  confirmedBy: 'confirmed by',
  correctedBy: 'corrected by',
  outlineMoved: 'outline moved, value unchanged',
  adjudicated: 'adjudicated after a second reading',
  firstReading: 'first reading',
  secondReadOpen: 'second reading disagrees:',
  awaitingAdjudication: 'awaiting adjudication',
  manualDistance: 'Distance (clinician)',
  manualArea: 'Area (clinician)',
  measuredBy: 'measured by',
  unverified: 'UNVERIFIED (AI only, not reviewed)',
  notUsed: '—',
  footer: 'AI values are decision support, not a diagnosis, until a clinician confirms them. Values marked UNVERIFIED were not reviewed by a clinician.',
  thumbnails: 'Confirmed captures',
  moreImages: 'more images in the exam record',
  page: 'Page',
  obstetric: 'Obstetric',
  breast: 'Breast',
  M: 'male',
  F: 'female',
  O: 'other',
  weeks: 'w',
  days: 'd',
};
type Key = keyof typeof en;
const fr: Record<Key, string> = {
  title: "Compte rendu d'échographie",
  patient: 'Patiente',
  name: 'Nom',
  id: 'ID patiente',
  birthDate: 'Date de naissance',
  sex: 'Sexe',
  anonymous: 'Examen anonyme (aucune patiente enregistrée)',
  exam: 'Examen',
  examType: "Type d'examen",
  started: 'Début',
  closed: 'Clôture',
  notClosed: 'en cours (non clos)',
  operator: 'Opérateur',
  datingGa: 'AG de datation',
  printed: 'Imprimé le',
  capture: 'Capture',
  sideLeft: 'sein GAUCHE',
  sideRight: 'sein DROIT',
  sideUnknown: 'côté non enregistré',
  frame: 'image',
  measurement: 'Mesure',
  ai: 'Valeur IA',
  final: 'Valeur retenue',
  decision: 'Décision',
  noCaptures: "Aucune capture n'a été enregistrée dans cet examen.",
  noMeasurements: 'Aucune mesure IA sur cette capture.',
  growth: 'Croissance',
  hcCentile: 'Centile PC (INTERGROWTH-21st, AG de datation)',
  noFlags: 'Aucune alerte de croissance.',
  confirmedBy: 'validé par',
  correctedBy: 'corrigé par',
  outlineMoved: 'contour déplacé, valeur inchangée',
  adjudicated: 'arbitré après une seconde lecture',
  firstReading: 'première lecture',
  secondReadOpen: 'la seconde lecture diffère :',
  awaitingAdjudication: "en attente d'arbitrage",
  manualDistance: 'Distance (clinicien)',
  manualArea: 'Surface (clinicien)',
  measuredBy: 'mesurée par',
  unverified: 'NON VÉRIFIÉ (IA seule, non revu)',
  notUsed: '—',
  footer: "Les valeurs de l'IA sont une aide à la décision, pas un diagnostic, tant qu'un clinicien ne les a pas validées. Les valeurs NON VÉRIFIÉ n'ont pas été revues par un clinicien.",
  thumbnails: 'Captures validées',
  moreImages: "autres images dans le dossier de l'examen",
  page: 'Page',
  obstetric: 'Obstétrique',
  breast: 'Sein',
  M: 'masculin',
  F: 'féminin',
  O: 'autre',
  weeks: 'SA',
  days: 'j',
};

const KIND: Record<ReportLang, Record<MeasurementKind, string>> = {
  en: {
    hc: 'HC',
    bpd: 'BPD',
    ofd: 'OFD',
    ga: 'GA (Hadlock, from HC)',
    lesion_max_diameter: 'Lesion, max diameter',
    lesion_perpendicular_diameter: 'Lesion, perpendicular diameter',
    lesion_orientation: 'Orientation',
    lesion_margin: 'Margin',
    lesion_class: 'Class (AI)',
    malignancy_probability: 'Malignancy probability (AI)',
  },
  fr: {
    hc: 'PC',
    bpd: 'BIP',
    ofd: 'DOF',
    ga: 'AG (Hadlock, selon le PC)',
    lesion_max_diameter: 'Lésion, grand axe',
    lesion_perpendicular_diameter: 'Lésion, axe perpendiculaire',
    lesion_orientation: 'Orientation',
    lesion_margin: 'Contours',
    lesion_class: 'Classe (IA)',
    malignancy_probability: 'Probabilité de malignité (IA)',
  },
};

const CATEGORY: Record<ReportLang, Record<string, string>> = {
  en: { parallel: 'parallel', 'not-parallel': 'not parallel', circumscribed: 'circumscribed', irregular: 'irregular', normal: 'normal', benign: 'benign', malignant: 'malignant' },
  fr: { parallel: 'parallèle', 'not-parallel': 'non parallèle', circumscribed: 'circonscrits', irregular: 'irréguliers', normal: 'normal', benign: 'bénin', malignant: 'malin' },
};

/** Growth flags come with English text from the analysis; French by code. */
const FLAG_FR: Record<string, string> = {
  'hc-centile-falling': 'La croissance de la tête ralentit (le z-score du PC a baissé de plus de 1) : envisagez un bilan de croissance.',
  'hc-crossed-below-p10': 'Le PC est passé sous le 10e centile : envisagez un bilan de croissance.',
};

export class ReportText {
  readonly locale: string;
  constructor(
    readonly lang: ReportLang,
    private readonly timeZone?: string,
  ) {
    this.locale = lang === 'fr' ? 'fr-FR' : 'en-GB';
  }

  t(key: Key): string {
    return (this.lang === 'fr' ? fr : en)[key];
  }

  kind(k: MeasurementKind): string {
    return KIND[this.lang][k] ?? k;
  }

  examType(e: ExamType): string {
    return this.t(e);
  }

  category(c: string): string {
    return CATEGORY[this.lang][c] ?? c;
  }

  flag(code: string, english: string): string {
    return this.lang === 'fr' ? (FLAG_FR[code] ?? english) : english;
  }

  /** "Label: " in English, "Label : " in French typography. */
  labelled(label: string): string {
    return this.lang === 'fr' ? `${label} : ` : `${label}: `;
  }

  number(v: number, digits: number): string {
    return new Intl.NumberFormat(this.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
  }

  /** A number with its unit: mm and % with one decimal, ratios with two, weeks as weeks and days. */
  value(v: number, unit: MeasurementUnit): string {
    if (unit === 'weeks') return this.ga(v);
    if (unit === 'ratio') return this.number(v, 2);
    if (unit === 'px') return `${this.number(v, 0)} px`;
    return `${this.number(v, 1)} ${unit}`;
  }

  /** Gestational age as whole weeks and days, e.g. 20 w 1 d / 20 SA 1 j. */
  ga(weeks: number): string {
    let w = Math.floor(weeks);
    let d = Math.round((weeks - w) * 7);
    if (d === 7) {
      w += 1;
      d = 0;
    }
    return `${w} ${this.t('weeks')} ${d} ${this.t('days')}`;
  }

  /** YYYYMMDD (a DICOM date) as a written date, e.g. 14 Feb 1990 / 14 févr. 1990. */
  dicomDate(d: string): string {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(d);
    if (!m) return d;
    return new Intl.DateTimeFormat(this.locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
  }

  /** An ISO timestamp as a date and time on the device's clock. */
  dateTime(iso: string): string {
    return new Intl.DateTimeFormat(this.locale, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', ...(this.timeZone ? { timeZone: this.timeZone } : {}) }).format(
      new Date(iso),
    );
  }

  state(s: MeasurementState, by: string | null): string {
    if (s === 'unverified') return this.t('unverified');
    return `${this.t(s === 'confirmed' ? 'confirmedBy' : 'correctedBy')} ${by ?? '?'}`;
  }
}

/** The language asked for: ?lang first, then the best of Accept-Language, else English. */
export function reportLang(query: string | undefined, acceptLanguage: string | undefined): ReportLang {
  if (query === 'en' || query === 'fr') return query;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { lang: tag.trim().toLowerCase().slice(0, 2), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.q > 0 && (REPORT_LANGS as readonly string[]).includes(x.lang))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return (ranked[0]?.lang as ReportLang | undefined) ?? 'en';
}
