/** README.txt written into every QA export: the layout in words, for whoever opens the folder elsewhere. */
export const README_TEXT = `sonoedge QA / retraining export

manifest.json   the export (time, filters, counts) and one entry per image: ids, exam type, shifted exam date,
                dating GA, pixel size (mm), imaging region, model id/version/provider, the model's output as
                stored, the final outline (source: confirmed | clinician | value-only | undecided), the file
                names, and per measurement the AI value beside the clinician's decision, second reading and
                adjudication.
manifest.csv    one row per measurement with the same facts (HC18-style: image, pixel size, values).
withheld.json   images kept on the device: no imaging region set (SONO_REGION_NOT_SET), text read by the OCR
                (SONO_BURNED_IN_TEXT) or OCR not possible (SONO_OCR_FAILED). No pixels, no text read.
<type>/images/<item>.png        the frame, 8-bit gray, everything outside the imaging region zeroed.
<type>/masks/<item>_ai.png      the model's outline filled (fetal head: fitted ellipse; breast: lesion outline), 0/255.
<type>/masks/<item>_final.png   the outline the clinicians left, filled; absent when only values were corrected
                                or nothing was decided.

No names, patient ids, birth dates or record ids: patients carry the same keyed pseudonym as the PACS copy,
exams, items and clinicians keyed ids, dates are shifted per patient (or removed).
`;
