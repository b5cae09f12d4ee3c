/**
 * The SQLite adapter's study operations: create, delete, rename, read and list studies and
 * set their attributes, each one transaction of the connection. Private to the library.
 *
 * @module
 */
import { left, right } from "../../../effect/mod.ts";
import { duplicatedStudy, show, studyNotFound } from "../../../errors.ts";
import type { JsonValue } from "../../../core/json.ts";
import type { Direction, StudyRecord } from "../../../core/study.ts";
import { checkAttrWrite, checkDirections, checkStudyName, setOwn } from "../../rules.ts";
import type { Storage } from "../../storage.ts";
import { decodeDirection, decodeJson, encodeDirection } from "../codec.ts";
import { STUDY_TABLES, TRIAL_CHILD_TABLES } from "../schema.ts";
import { run, type SqliteConnection } from "./connection.ts";
import { forgetStudy, loadStudyRecord, studyName } from "./reads.ts";
import { storedJson, upsertAttr } from "./rows.ts";

/** The study operations of a {@link Storage}. */
export type StudyOps = Pick<
  Storage,
  | "createStudy"
  | "deleteStudy"
  | "renameStudy"
  | "getStudy"
  | "getStudyById"
  | "listStudies"
  | "setStudyAttr"
>;

/** The study operations on the connection. */
export function studyOps(c: SqliteConnection): StudyOps {
  const { q, later } = c;
  return {
    createStudy: (args) =>
      run(c, "create the study", "write", () => {
        const name = checkStudyName(args?.studyName);
        if (name._tag === "Left") return name;
        const directions = checkDirections(args.directions);
        if (directions._tag === "Left") return directions;
        if (q("SELECT study_id FROM studies WHERE study_name = ?").get(name.right) !== undefined) {
          return left(duplicatedStudy(name.right));
        }
        const row = q("INSERT INTO studies (study_name) VALUES (?) RETURNING study_id").get(
          name.right,
        );
        const studyId = Number(row?.study_id);
        const insert = q(
          "INSERT INTO study_directions (direction, study_id, objective) VALUES (?, ?, ?)",
        );
        directions.right.forEach((d, i) => insert.run(encodeDirection(d), studyId, i));
        const record: StudyRecord = {
          studyId,
          studyName: name.right,
          directions: [...directions.right],
          userAttrs: {},
          systemAttrs: {},
        };
        later(() => {
          forgetStudy(c, studyId);
          if (c.mirror) c.records.set(studyId, record);
        });
        return right(record);
      }),
    deleteStudy: (studyId) =>
      run(c, "delete the study", "write", () => {
        if (studyName(c, studyId) === undefined) return left(studyNotFound(`#${show(studyId)}`));
        const trialsOf = "SELECT trial_id FROM trials WHERE study_id = ?";
        for (const t of TRIAL_CHILD_TABLES) {
          q(`DELETE FROM ${t} WHERE trial_id IN (${trialsOf})`).run(studyId);
        }
        for (const t of STUDY_TABLES) q(`DELETE FROM ${t} WHERE study_id = ?`).run(studyId);
        later(() => forgetStudy(c, studyId));
        return right(undefined);
      }),
    renameStudy: (args) =>
      run(c, "rename the study", "write", () => {
        const studyId = args?.studyId;
        const old = studyName(c, studyId);
        if (old === undefined) return left(studyNotFound(`#${show(studyId)}`));
        const name = checkStudyName(args.studyName);
        if (name._tag === "Left") return name;
        const taken = q("SELECT study_id FROM studies WHERE study_name = ?").get(name.right);
        if (taken !== undefined && Number(taken.study_id) !== studyId) {
          return left(duplicatedStudy(name.right));
        }
        q("UPDATE studies SET study_name = ? WHERE study_id = ?").run(name.right, studyId);
        const record = { ...loadStudyRecord(c, studyId, old), studyName: name.right };
        later(() => {
          c.records.delete(studyId);
          if (c.mirror) c.records.set(studyId, record);
        });
        return right(record);
      }),
    getStudy: (name) =>
      run(c, "get the study", "read", () => {
        for (const r of c.records.values()) if (r.studyName === name) return right(r);
        const row = typeof name === "string"
          ? q("SELECT study_id FROM studies WHERE study_name = ?").get(name)
          : undefined;
        if (row === undefined) {
          return left(studyNotFound(typeof name === "string" ? name : show(name)));
        }
        return right(loadStudyRecord(c, Number(row.study_id), name));
      }),
    getStudyById: (studyId) =>
      run(c, "get the study", "read", () => {
        const name = studyName(c, studyId);
        if (name === undefined) return left(studyNotFound(`#${show(studyId)}`));
        return right(loadStudyRecord(c, studyId, name));
      }),
    listStudies: () => run(c, "list the studies", "read", () => right(listStudies(c))),
    setStudyAttr: (args) =>
      run(c, "set the study attribute", "write", () => {
        const name = studyName(c, args?.id);
        if (name === undefined) return left(studyNotFound(`#${show(args?.id)}`));
        const checked = checkAttrWrite(args);
        if (checked._tag === "Left") return checked;
        const kind = args.kind === "user" ? "user" : "system";
        upsertAttr(c, "study", kind, args.id, args.key, args.value);
        const held = c.records.get(args.id);
        later(() => {
          if (held === undefined) return;
          const field = kind === "user" ? "userAttrs" : "systemAttrs";
          c.records.set(args.id, {
            ...held,
            [field]: { ...held[field], [args.key]: storedJson(args.value) },
          });
        });
        return right(undefined);
      }),
  };
}

/** Every study's record, in id order (three reads, whatever the number of studies). */
function listStudies(c: SqliteConnection): StudyRecord[] {
  const studies = c.q("SELECT study_id, study_name FROM studies ORDER BY study_id").all();
  const directions = new Map<number, Direction[]>();
  for (
    const r of c.q(
      "SELECT study_id, direction FROM study_directions ORDER BY study_id, objective",
    ).all()
  ) {
    const id = Number(r.study_id);
    let list = directions.get(id);
    if (list === undefined) directions.set(id, list = []);
    list.push(decodeDirection(r.direction));
  }
  const user = studyAttrs(c, "user");
  const system = studyAttrs(c, "system");
  return studies.map((r): StudyRecord => {
    const id = Number(r.study_id);
    return {
      studyId: id,
      studyName: String(r.study_name),
      directions: directions.get(id) ?? [],
      userAttrs: user.get(id) ?? {},
      systemAttrs: system.get(id) ?? {},
    };
  });
}

/** Every study's attributes of one kind, by study id. */
function studyAttrs(
  c: SqliteConnection,
  kind: "user" | "system",
): Map<number, Record<string, JsonValue>> {
  const m = new Map<number, Record<string, JsonValue>>();
  for (
    const r of c.q(
      `SELECT study_id, "key", value_json FROM study_${kind}_attributes ORDER BY study_${kind}_attribute_id`,
    ).all()
  ) {
    const id = Number(r.study_id);
    let a = m.get(id);
    if (a === undefined) m.set(id, a = {});
    setOwn(a, String(r.key), decodeJson(r.value_json));
  }
  return m;
}
