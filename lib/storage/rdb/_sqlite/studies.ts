/**
 * The SQLite adapter's study operations: create, delete, rename, read and list studies and
 * set their attributes, each one transaction of the connection. Private to the library.
 *
 * @module
 */
import { left, right } from "../../../effect/mod.ts";
import { show, studyNotFound } from "../../../errors.ts";
import type { JsonValue } from "../../../core/json.ts";
import type { Direction, StudyRecord } from "../../../core/study.ts";
import { setOwn } from "../../rules.ts";
import {
  decideNameFree,
  decideNewStudy,
  decideRename,
  decideStudyAttr,
  studyFound,
  type StudyWrite,
} from "../../study_writes.ts";
import { chainRight, mapRight } from "../../trial_writes.ts";
import type { StudyOps } from "../../storage.ts";
import { decodeDirection, decodeJson, encodeDirection } from "../codec.ts";
import { STUDY_TABLES, TRIAL_CHILD_TABLES } from "../schema.ts";
import { run, type SqliteConnection } from "./connection.ts";
import { forgetStudy, loadStudyRecord, studyName } from "./reads.ts";
import { storedJson, upsertAttr } from "./rows.ts";

/** The study operations on the connection. */
export function studyOps(c: SqliteConnection): StudyOps {
  const { q, later } = c;
  return {
    createStudy: (args) =>
      run(c, "create the study", "write", () =>
        chainRight(
          decideNewStudy(args),
          (w) =>
            mapRight(
              decideNameFree(w.studyName, undefined, holderOf(c, w.studyName)),
              () => insertStudy(c, w),
            ),
        )),
    deleteStudy: (studyId) =>
      run(c, "delete the study", "write", () => {
        const found = studyFound(studyName(c, studyId) !== undefined, studyId);
        if (found._tag === "Left") return found;
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
        const name = decideRename(old !== undefined, args);
        if (name._tag === "Left") return name;
        const free = decideNameFree(name.right, studyId, holderOf(c, name.right));
        if (free._tag === "Left") return free;
        q("UPDATE studies SET study_name = ? WHERE study_id = ?").run(name.right, studyId);
        const record = { ...loadStudyRecord(c, studyId, old as string), studyName: name.right };
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
      run(
        c,
        "set the study attribute",
        "write",
        () =>
          mapRight(decideStudyAttr(studyName(c, args?.id) !== undefined, args), (w) => {
            upsertAttr(c, "study", w.kind, w.studyId, w.key, w.value);
            const held = c.records.get(w.studyId);
            later(() => {
              if (held === undefined) return;
              const field = w.kind === "user" ? "userAttrs" : "systemAttrs";
              c.records.set(w.studyId, {
                ...held,
                [field]: { ...held[field], [w.key]: storedJson(w.value) },
              });
            });
          }),
      ),
  };
}

/** The id of the study holding the name; `undefined` when none. */
function holderOf(c: SqliteConnection, name: string): number | undefined {
  const row = c.q("SELECT study_id FROM studies WHERE study_name = ?").get(name);
  return row === undefined ? undefined : Number(row.study_id);
}

/** Inserts a decided new study; returns its record. */
function insertStudy(c: SqliteConnection, w: StudyWrite): StudyRecord {
  const row = c.q("INSERT INTO studies (study_name) VALUES (?) RETURNING study_id").get(
    w.studyName,
  );
  const studyId = Number(row?.study_id);
  const insert = c.q(
    "INSERT INTO study_directions (direction, study_id, objective) VALUES (?, ?, ?)",
  );
  w.directions.forEach((d, i) => insert.run(encodeDirection(d), studyId, i));
  const record: StudyRecord = {
    studyId,
    studyName: w.studyName,
    directions: [...w.directions],
    userAttrs: {},
    systemAttrs: {},
  };
  c.later(() => {
    forgetStudy(c, studyId);
    if (c.mirror) c.records.set(studyId, record);
  });
  return record;
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
