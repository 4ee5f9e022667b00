/** Strings of the patient form, its pickers, the exam record and the growth page: English and French. */
import { currentLang, translator } from '../i18n';
import { type KeyOf, defineStrings } from '../strings-table';
import type { InputProblem } from '../../../src/protocol/rest/patient-checks.js';

const strings = defineStrings({
  en: {
    family: 'Family name',
    given: 'Given names',
    patientId: 'Patient ID',
    birthDate: 'Birth date',
    datePlaceholder: 'DD/MM/YYYY',
    sex: 'Sex',
    sexUnknown: '—',
    sexF: 'Female',
    sexM: 'Male',
    sexO: 'Other',
    dating: 'Dating by',
    datingGa: 'GA (weeks)',
    datingLmp: 'LMP',
    datingEdd: 'EDD',
    gaPlaceholder: 'e.g. 22.5 or 22+3',
    gaToday: 'GA today',
    weeks: 'weeks',
    findPatient: 'Earlier patients',
    searchPlaceholder: 'Name or ID',
    worklist: 'Worklist',
    worklistEmpty: 'No procedure scheduled today',
    worklistNotConfigured: 'No worklist is set up on this device: type the patient’s details',
    noMatch: 'No earlier patient matches',
    accession: 'Accession',
    fixFields: 'Correct the fields marked in red first',
    closeAsk: 'Close this exam? It is then sent and can no longer be changed.',
    closeYes: 'Close exam',
    cancel: 'Cancel',
    closed: 'Exam closed: the form is ready for the next patient',
    resumed: 'Open exam resumed',
    closedElsewhere: 'This exam was closed on another device: start a new exam to save more images',
    voidedElsewhere: 'This exam was voided on another device: start a new exam to save more images',
    frameBeforeExam: 'This image was acquired before this exam started; freeze again to capture the current patient',
    samePatientAsk: 'This patient ID is already kept for a patient with another family name or birth date:',
    samePatientYes: 'Same patient: start',
    samePatientCheck: 'Check the ID',
    'not-a-number': 'Not a number: type e.g. 22.5 or 22,5',
    'out-of-range': 'Outside 4 to 44 weeks',
    'not-a-date': 'No such date: type DD/MM/YYYY',
    'date-in-future': 'This date is in the future',
    'date-too-old': 'Before 1900',
    'dating-out-of-range': 'Gives a GA outside 4 to 44 weeks today',
    'not-a-name': 'Letters only: no ^, \\ or =, at most 64',
  },
  fr: {
    family: 'Nom de famille',
    given: 'Prénoms',
    patientId: 'N° patient (IPP)',
    birthDate: 'Date de naissance',
    datePlaceholder: 'JJ/MM/AAAA',
    sex: 'Sexe',
    sexUnknown: '—',
    sexF: 'Femme',
    sexM: 'Homme',
    sexO: 'Autre',
    dating: 'Datation par',
    datingGa: 'Terme (SA)',
    datingLmp: 'DDR',
    datingEdd: 'DPA',
    gaPlaceholder: 'ex. 22,5 ou 22+3',
    gaToday: "Terme aujourd'hui",
    weeks: 'SA',
    findPatient: 'Patientes déjà vues',
    searchPlaceholder: 'Nom ou IPP',
    worklist: 'Liste de travail',
    worklistEmpty: "Aucun examen programmé aujourd'hui",
    worklistNotConfigured: "Aucune liste de travail n'est configurée : saisissez l'identité",
    noMatch: 'Aucune patiente trouvée',
    accession: 'N° d’accès',
    fixFields: "Corrigez d'abord les champs marqués en rouge",
    closeAsk: 'Clore cet examen ? Il sera envoyé et ne pourra plus être modifié.',
    closeYes: "Clore l'examen",
    cancel: 'Annuler',
    closed: 'Examen clos : le formulaire est prêt pour la patiente suivante',
    resumed: 'Examen en cours repris',
    closedElsewhere: "Cet examen a été clos sur un autre appareil : commencez un nouvel examen pour enregistrer d'autres images",
    voidedElsewhere: "Cet examen a été annulé sur un autre appareil : commencez un nouvel examen pour enregistrer d'autres images",
    frameBeforeExam: 'Cette image a été acquise avant le début de cet examen : gelez à nouveau pour capturer la patiente actuelle',
    samePatientAsk: 'Cet IPP est déjà enregistré pour une patiente au nom de famille ou à la date de naissance différents :',
    samePatientYes: 'Même patiente : commencer',
    samePatientCheck: "Vérifier l'IPP",
    'not-a-number': 'Pas un nombre : tapez par ex. 22,5',
    'out-of-range': 'Hors de 4 à 44 SA',
    'not-a-date': "Cette date n'existe pas : tapez JJ/MM/AAAA",
    'date-in-future': 'Cette date est dans le futur',
    'date-too-old': 'Avant 1900',
    'dating-out-of-range': "Donne un terme hors de 4 à 44 SA aujourd'hui",
    'not-a-name': 'Lettres seulement : ni ^, \\ ni =, 64 au plus',
  },
});
export type FormKey = KeyOf<typeof strings>;
export const problemKey = (p: InputProblem): FormKey => p;
export const tr = translator(strings);

/** Refills every element marked data-pf="key" (text) or data-pf-placeholder="key" after a language change. */
export function applyFormStrings(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>('[data-pf]').forEach((el) => (el.textContent = tr(el.dataset.pf as FormKey)));
  root.querySelectorAll<HTMLInputElement>('[data-pf-placeholder]').forEach((el) => (el.placeholder = tr(el.dataset.pfPlaceholder as FormKey)));
}

/** A number in the page's language (22,5 in French). */
export function num(v: number, digits = 1): string {
  return v.toLocaleString(currentLang() === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
