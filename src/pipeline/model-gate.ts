export interface GatedModel {
  id: string;
  task: string;
}

/**
 * Which diagnostic models run live: those of the exam types somebody is looking at (the type a viewer
 * has chosen on the live page) or working on (an open exam). On a 2-core board the other exam type's
 * model would only take the cores from the one in use. Models that measure no exam type (the enhancer)
 * are not gated here. Nobody watching and no exam open: every model runs (an integrator may read the
 * bus or the API). A wanted type with no configured model gates nothing.
 *
 * Scheduling policy, task-agnostic: which task measures which exam type (`taskOfExam`) is given by the
 * composition root, from the records' exam types.
 */
export class ModelGate<ExamType extends string = string> {
  readonly #viewers = new Map<object, ExamType>();
  readonly #diagnostic: ReadonlySet<string>;
  #open: ExamType[] = [];

  constructor(
    private readonly models: () => GatedModel[],
    private readonly setEnabled: (id: string, enabled: boolean) => void,
    private readonly taskOfExam: Readonly<Record<ExamType, string>>,
  ) {
    // Tasks that measure an exam type; other models (the enhancer) are never gated.
    this.#diagnostic = new Set(Object.values<string>(taskOfExam));
  }

  /** A viewer chose `type` (undefined: the viewer left). */
  setViewer(viewer: object, type: ExamType | undefined): void {
    if (type) this.#viewers.set(viewer, type);
    else this.#viewers.delete(viewer);
    this.apply();
  }

  /** The types of the exams now open. */
  setOpenExams(types: ExamType[]): void {
    this.#open = types;
    this.apply();
  }

  /** The tasks that should run now; undefined means all of them. */
  wantedTasks(): Set<string> | undefined {
    const configured = new Set(
      this.models()
        .map((m) => m.task)
        .filter((t) => this.#diagnostic.has(t)),
    );
    const wanted = new Set([...this.#viewers.values(), ...this.#open].map((t) => this.taskOfExam[t]).filter((t) => configured.has(t)));
    return wanted.size > 0 ? wanted : undefined;
  }

  apply(): void {
    const wanted = this.wantedTasks();
    for (const m of this.models()) if (this.#diagnostic.has(m.task)) this.setEnabled(m.id, !wanted || wanted.has(m.task));
  }
}
