/**
 * The study operations of the journal storage, each a decision of `study_writes.ts` on the
 * replay followed by Optuna's journal operation. Private to the journal storage.
 *
 * @module
 */
import { left, right } from "../../effect/mod.ts";
import { storageError, studyNotFound } from "../../errors.ts";
import type { StudyRecord } from "../../core/study.ts";
import { checkStudyName } from "../rules.ts";
import type { StudyOps } from "../storage.ts";
import {
  decideNameFree,
  decideNewStudy,
  decideRename,
  decideStudyAttr,
  studyFound,
} from "../study_writes.ts";
import { chainRight, mapRight } from "../trial_writes.ts";
import { type JournalState, read, write } from "./_core.ts";
import { directionCode, OP } from "./_format.ts";
import { studyNamed } from "./_replay.ts";

/** The study operations on a journal. */
export function studyOps(st: JournalState): StudyOps {
  const r = st.replay;
  const byId = (studyId: number) =>
    mapRight(
      studyFound(r.studies.has(studyId), studyId),
      () => r.studies.get(studyId)!.record,
    );
  return {
    createStudy: (args) =>
      write(
        st,
        "create the study",
        () =>
          chainRight(decideNewStudy(args), ({ studyName, directions }) =>
            mapRight(
              decideNameFree(studyName, undefined, studyNamed(r, studyName)?.record.studyId),
              () => ({
                logs: [{
                  op_code: OP.CREATE_STUDY,
                  study_name: studyName,
                  directions: directions.map(directionCode),
                }],
                answer: (): StudyRecord => studyNamed(r, studyName)!.record,
              }),
            )),
      ),
    deleteStudy: (studyId) =>
      write(
        st,
        "delete the study",
        () =>
          mapRight(studyFound(r.studies.has(studyId), studyId), () => ({
            logs: [{ op_code: OP.DELETE_STUDY, study_id: studyId }],
            answer: () => undefined,
          })),
      ),
    renameStudy: (args) =>
      // the checks of every storage first, so that bad input reads the same everywhere
      read(st, "rename the study", () =>
        chainRight(decideRename(r.studies.has(args?.studyId), args), (name) =>
          chainRight(
            decideNameFree(name, args.studyId, studyNamed(r, name)?.record.studyId),
            () =>
              left(storageError(
                "rename the study",
                "Optuna's journal format has no operation that renames a study (Python's " +
                  "JournalStorage cannot rename one either); copy the study under the new name",
              )),
          ))),
    getStudy: (studyName) =>
      read(st, "get the study", () =>
        chainRight(checkStudyName(studyName), (name) => {
          const s = studyNamed(r, name);
          return s === undefined ? left(studyNotFound(name)) : right(s.record);
        })),
    getStudyById: (studyId) => read(st, "get the study", () => byId(studyId)),
    listStudies: () =>
      read(st, "list the studies", () => right([...r.studies.values()].map((s) => s.record))),
    setStudyAttr: (args) =>
      write(
        st,
        "set the study attribute",
        () =>
          mapRight(decideStudyAttr(r.studies.has(args?.id), args), (w) => ({
            logs: [
              w.kind === "user"
                ? {
                  op_code: OP.SET_STUDY_USER_ATTR,
                  study_id: w.studyId,
                  user_attr: { [w.key]: w.value },
                }
                : {
                  op_code: OP.SET_STUDY_SYSTEM_ATTR,
                  study_id: w.studyId,
                  system_attr: { [w.key]: w.value },
                },
            ],
            answer: () => undefined,
          })),
      ),
  };
}
