//! The store: state machines, executions and their history events in one SQLite database (`stepfn.sqlite3` under
//! the data directory). Each call's writes commit before it answers, in SQLite's write-ahead log with
//! `synchronous = NORMAL`: what a call acknowledged survives the process's crash (`kill -9`); an operating-system
//! crash or power loss may lose the last commits (SQLite's documented trade-off, which spares an fsync per history
//! event). SQLite through rusqlite: one file, no server.

use crate::api::ApiError;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

pub struct Store {
    connection: Mutex<Connection>,
}

/// A state machine as stored.
#[derive(Debug, Clone)]
pub struct Machine {
    pub name: String,
    pub definition: String,
    pub role_arn: String,
    pub kind: String,
    pub created: f64,
}

/// An execution as stored.
#[derive(Debug, Clone)]
pub struct Execution {
    pub arn: String,
    pub machine: String,
    pub name: String,
    pub input: String,
    pub status: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub started: f64,
    pub stopped: Option<f64>,
    /// The definition it ran (a later UpdateStateMachine does not change it).
    pub definition: String,
    /// How many times it was redriven, and when last.
    pub redrive_count: u32,
    pub redrive_date: Option<f64>,
    /// Where it stands: the last top-level state it entered (a [`stepfn_engine::resume::Checkpoint`] as JSON), what
    /// a redrive goes on from.
    pub checkpoint: Option<String>,
    /// The mock file's test case it runs (`stateMachineArn#TestCase`), which a redrive runs again.
    pub test_case: Option<String>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS state_machines (
    name TEXT PRIMARY KEY, definition TEXT NOT NULL, role_arn TEXT NOT NULL, kind TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY, machine TEXT NOT NULL, name TEXT NOT NULL, input TEXT NOT NULL, status TEXT NOT NULL,
    output TEXT, error TEXT, cause TEXT, started REAL NOT NULL, stopped REAL, definition TEXT NOT NULL,
    seq INTEGER NOT NULL, redrive_count INTEGER NOT NULL DEFAULT 0, redrive_date REAL, redrive_token TEXT,
    checkpoint TEXT, test_case TEXT);
CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (machine, seq);
CREATE TABLE IF NOT EXISTS activities (name TEXT PRIMARY KEY, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tags (arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));
CREATE TABLE IF NOT EXISTS events (
    execution TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (execution, id));
";

fn internal(error: rusqlite::Error) -> ApiError {
    ApiError::internal(format!("the store failed: {error}"))
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
        let file = dir.join("stepfn.sqlite3");
        let connection = Connection::open(&file)
            .map_err(|e| format!("cannot open `{}`: {e}", file.display()))?;
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .and_then(|()| connection.execute_batch(SCHEMA))
            .and_then(|()| add_missing_columns(&connection))
            .map_err(|e| format!("cannot prepare `{}`: {e}", file.display()))?;
        Ok(Store {
            connection: Mutex::new(connection),
        })
    }

    fn with<T>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, ApiError> {
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&connection).map_err(internal)
    }

    /// Executions still `RUNNING` from before a restart: they were cut off. Marks them failed, with a cause that
    /// says so and an `ExecutionFailed` event ending their history (RedriveExecution goes on from the state each
    /// was in), and returns how many.
    pub fn fail_interrupted(&self) -> Result<usize, String> {
        self.with(|c| {
            let transaction = c.unchecked_transaction()?;
            let cut_off: Vec<(String, String, f64)> = {
                let mut query =
                    transaction.prepare("SELECT arn, input, started FROM executions WHERE status = 'RUNNING'")?;
                let rows = query.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let stopped = now();
            for (arn, input, started) in &cut_off {
                transaction.execute(
                    "UPDATE executions SET status = 'FAILED', error = ?2, cause = ?3, stopped = ?4 WHERE arn = ?1",
                    params![arn, INTERRUPTED_ERROR, INTERRUPTED_CAUSE, stopped],
                )?;
                let mut last: i64 = transaction.query_row(
                    "SELECT COALESCE(MAX(id), 0) FROM events WHERE execution = ?1",
                    params![arn],
                    |row| row.get(0),
                )?;
                if last == 0 {
                    last = 1;
                    transaction.execute(
                        "INSERT INTO events (execution, id, event) VALUES (?1, 1, ?2)",
                        params![arn, started_event(input, *started)],
                    )?;
                }
                let failed = serde_json::json!({
                    "timestamp": stopped, "type": "ExecutionFailed", "id": last + 1, "previousEventId": last,
                    "executionFailedEventDetails": {"error": INTERRUPTED_ERROR, "cause": INTERRUPTED_CAUSE},
                });
                transaction.execute(
                    "INSERT INTO events (execution, id, event) VALUES (?1, ?2, ?3)",
                    params![arn, last + 1, failed.to_string()],
                )?;
            }
            transaction.commit()?;
            Ok(cut_off.len())
        })
        .map_err(|e| e.message)
    }

    pub fn insert_machine(&self, machine: &Machine) -> Result<(), ApiError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO state_machines (name, definition, role_arn, kind, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![machine.name, machine.definition, machine.role_arn, machine.kind, machine.created],
            )
            .map(drop)
        })
    }

    /// Creates the machine `name` (STANDARD) or gives it `definition`: a workflow binary's own machine, current
    /// with the code at every start.
    pub fn preset_machine(&self, name: &str, definition: &str) -> Result<(), ApiError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO state_machines (name, definition, role_arn, kind, created) VALUES (?1, ?2, ?3, 'STANDARD', ?4)
                 ON CONFLICT (name) DO UPDATE SET definition = excluded.definition",
                params![name, definition, PRESET_ROLE, now()],
            )
            .map(drop)
        })
    }

    pub fn machine(&self, name: &str) -> Result<Option<Machine>, ApiError> {
        self.with(|c| {
            c.query_row(
                "SELECT name, definition, role_arn, kind, created FROM state_machines WHERE name = ?1",
                params![name],
                read_machine,
            )
            .optional()
        })
    }

    pub fn machines(&self) -> Result<Vec<Machine>, ApiError> {
        self.with(|c| {
            let mut query =
                c.prepare("SELECT name, definition, role_arn, kind, created FROM state_machines ORDER BY name")?;
            let rows = query.query_map([], read_machine)?;
            rows.collect()
        })
    }

    pub fn update_machine(
        &self,
        name: &str,
        definition: &str,
        role_arn: &str,
    ) -> Result<(), ApiError> {
        self.with(|c| {
            c.execute(
                "UPDATE state_machines SET definition = ?2, role_arn = ?3 WHERE name = ?1",
                params![name, definition, role_arn],
            )
            .map(drop)
        })
    }

    pub fn delete_machine(&self, name: &str) -> Result<(), ApiError> {
        self.with(|c| {
            c.execute("DELETE FROM state_machines WHERE name = ?1", params![name])
                .map(drop)
        })
    }

    pub fn insert_execution(&self, execution: &Execution) -> Result<(), ApiError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO executions (arn, machine, name, input, status, started, definition, test_case, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (SELECT COALESCE(MAX(seq), 0) + 1 FROM executions))",
                params![
                    execution.arn,
                    execution.machine,
                    execution.name,
                    execution.input,
                    execution.status,
                    execution.started,
                    execution.definition,
                    execution.test_case
                ],
            )
            .map(drop)
        })
    }

    pub fn execution(&self, arn: &str) -> Result<Option<Execution>, ApiError> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE arn = ?1"),
                params![arn],
                read_execution,
            )
            .optional()
        })
    }

    /// A machine's executions, newest first, optionally of one status.
    pub fn executions(
        &self,
        machine: &str,
        status: Option<&str>,
    ) -> Result<Vec<Execution>, ApiError> {
        self.with(|c| {
            let mut query = c.prepare(&format!(
                "SELECT {EXECUTION_COLUMNS} FROM executions WHERE machine = ?1 AND (?2 IS NULL OR status = ?2)
                 ORDER BY seq DESC"
            ))?;
            let rows = query.query_map(params![machine, status], read_execution)?;
            rows.collect()
        })
    }

    /// Records how an execution ended and its history events (by id), in one transaction.
    pub fn finish_execution(
        &self,
        execution: &Execution,
        events: &[(u64, String)],
    ) -> Result<(), ApiError> {
        self.with(|c| {
            let transaction = c.unchecked_transaction()?;
            let updated = transaction.execute(
                "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stopped = ?6
                 WHERE arn = ?1 AND status = 'RUNNING'",
                params![
                    execution.arn,
                    execution.status,
                    execution.output,
                    execution.error,
                    execution.cause,
                    execution.stopped
                ],
            )?;
            if updated == 0 {
                // Ended already (a stop and the execution's own end raced): the first record stands.
                return Ok(());
            }
            for (id, event) in events {
                transaction.execute(
                    "INSERT OR REPLACE INTO events (execution, id, event) VALUES (?1, ?2, ?3)",
                    params![execution.arn, *id as i64, event],
                )?;
            }
            transaction.commit()
        })
    }

    /// Keeps where a running execution stands (its last top-level state entered).
    pub fn save_checkpoint(&self, execution: &str, checkpoint: &str) -> Result<(), ApiError> {
        self.with(|c| {
            c.execute(
                "UPDATE executions SET checkpoint = ?2 WHERE arn = ?1 AND status = 'RUNNING'",
                params![execution, checkpoint],
            )
            .map(drop)
        })
    }

    /// Marks a failed, timed-out or aborted execution running again (RedriveExecution): its redrive count goes up.
    /// False when it is in none of those statuses now.
    pub fn redrive(
        &self,
        execution: &str,
        date: f64,
        token: Option<&str>,
    ) -> Result<bool, ApiError> {
        self.with(|c| {
            c.execute(
                "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stopped = NULL,
                 redrive_count = redrive_count + 1, redrive_date = ?2, redrive_token = ?3
                 WHERE arn = ?1 AND status IN ('FAILED', 'TIMED_OUT', 'ABORTED')",
                params![execution, date, token],
            )
            .map(|updated| updated == 1)
        })
    }

    /// The client token of the execution's last redrive.
    pub fn redrive_token(&self, execution: &str) -> Result<Option<String>, ApiError> {
        self.with(|c| {
            c.query_row(
                "SELECT redrive_token FROM executions WHERE arn = ?1",
                params![execution],
                |row| row.get(0),
            )
            .optional()
            .map(Option::flatten)
        })
    }

    /// Creates the activity `name` unless it exists; its creation date either way.
    pub fn create_activity(&self, name: &str) -> Result<f64, ApiError> {
        self.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO activities (name, created) VALUES (?1, ?2)",
                params![name, now()],
            )?;
            c.query_row(
                "SELECT created FROM activities WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
        })
    }

    pub fn activity(&self, name: &str) -> Result<Option<f64>, ApiError> {
        self.with(|c| {
            c.query_row(
                "SELECT created FROM activities WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()
        })
    }

    /// Every activity, by name, with its creation date.
    pub fn activities(&self) -> Result<Vec<(String, f64)>, ApiError> {
        self.with(|c| {
            let mut query = c.prepare("SELECT name, created FROM activities ORDER BY name")?;
            let rows = query.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect()
        })
    }

    pub fn delete_activity(&self, name: &str) -> Result<(), ApiError> {
        self.with(|c| {
            c.execute("DELETE FROM activities WHERE name = ?1", params![name])
                .map(drop)
        })
    }

    /// A resource's tags, by key.
    pub fn tags(&self, arn: &str) -> Result<Vec<(String, String)>, ApiError> {
        self.with(|c| {
            let mut query = c.prepare("SELECT key, value FROM tags WHERE arn = ?1 ORDER BY key")?;
            let rows = query.query_map(params![arn], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect()
        })
    }

    /// Removes every tag of a resource (it was deleted).
    pub fn untag_all(&self, arn: &str) -> Result<(), ApiError> {
        self.with(|c| {
            c.execute("DELETE FROM tags WHERE arn = ?1", params![arn])
                .map(drop)
        })
    }

    /// Sets `tags` on a resource (replacing values of the same keys) and removes `remove`.
    pub fn retag(
        &self,
        arn: &str,
        tags: &[(String, String)],
        remove: &[String],
    ) -> Result<(), ApiError> {
        self.with(|c| {
            let transaction = c.unchecked_transaction()?;
            for (key, value) in tags {
                transaction.execute(
                    "INSERT OR REPLACE INTO tags (arn, key, value) VALUES (?1, ?2, ?3)",
                    params![arn, key, value],
                )?;
            }
            for key in remove {
                transaction.execute(
                    "DELETE FROM tags WHERE arn = ?1 AND key = ?2",
                    params![arn, key],
                )?;
            }
            transaction.commit()
        })
    }

    /// Deletes the oldest closed executions (and their history) past the newest `keep`: the retention bound.
    pub fn retain_closed(&self, keep: usize) -> Result<usize, ApiError> {
        self.with(|c| {
            let transaction = c.unchecked_transaction()?;
            transaction.execute(
                "CREATE TEMP TABLE IF NOT EXISTS expired (arn TEXT PRIMARY KEY)",
                [],
            )?;
            transaction.execute("DELETE FROM expired", [])?;
            transaction.execute(
                "INSERT INTO expired SELECT arn FROM executions WHERE status != 'RUNNING'
                 ORDER BY seq DESC LIMIT -1 OFFSET ?1",
                params![keep as i64],
            )?;
            transaction.execute(
                "DELETE FROM events WHERE execution IN (SELECT arn FROM expired)",
                [],
            )?;
            let removed = transaction.execute(
                "DELETE FROM executions WHERE arn IN (SELECT arn FROM expired)",
                [],
            )?;
            transaction.commit()?;
            Ok(removed)
        })
    }

    /// Records one history event of a running execution as it happens.
    pub fn append_event(&self, execution: &str, id: u64, event: &str) -> Result<(), ApiError> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO events (execution, id, event) VALUES (?1, ?2, ?3)",
                params![execution, id as i64, event],
            )
            .map(drop)
        })
    }

    /// How many history events an execution has.
    pub fn event_count(&self, execution: &str) -> Result<u64, ApiError> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM events WHERE execution = ?1",
                params![execution],
                |row| row.get::<_, i64>(0),
            )
        })
        .map(|count| count.max(0) as u64)
    }

    /// The history events of an execution, in order, as stored (JSON text).
    pub fn events(&self, execution: &str) -> Result<Vec<String>, ApiError> {
        self.with(|c| {
            let mut query =
                c.prepare("SELECT event FROM events WHERE execution = ?1 ORDER BY id")?;
            let rows = query.query_map(params![execution], |row| row.get(0))?;
            rows.collect()
        })
    }
}

/// The role of the machines the service creates itself (nothing checks roles here).
const PRESET_ROLE: &str = "arn:aws:iam::123456789012:role/stepfn-local";

const EXECUTION_COLUMNS: &str =
    "arn, machine, name, input, status, output, error, cause, started, stopped, definition,
     redrive_count, redrive_date, checkpoint, test_case";

/// What an execution cut off by a restart failed with.
pub const INTERRUPTED_ERROR: &str = "Stepfn.ServiceStopped";
const INTERRUPTED_CAUSE: &str =
    "the stepfn service stopped while this execution ran; RedriveExecution goes on from the state it was in";

/// The `ExecutionStarted` event of an execution whose engine has not reported yet.
pub fn started_event(input: &str, started: f64) -> String {
    serde_json::json!({
        "timestamp": started, "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
        "executionStartedEventDetails": {"input": input, "inputDetails": {"truncated": false}},
    })
    .to_string()
}

/// Adds the columns a data directory made by an earlier version lacks.
fn add_missing_columns(connection: &Connection) -> rusqlite::Result<()> {
    let present: Vec<String> = {
        let mut query = connection.prepare("SELECT name FROM pragma_table_info('executions')")?;
        let rows = query.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (column, declaration) in [
        ("redrive_count", "INTEGER NOT NULL DEFAULT 0"),
        ("redrive_date", "REAL"),
        ("redrive_token", "TEXT"),
        ("checkpoint", "TEXT"),
        ("test_case", "TEXT"),
    ] {
        if !present.iter().any(|p| p == column) {
            connection.execute_batch(&format!(
                "ALTER TABLE executions ADD COLUMN {column} {declaration}"
            ))?;
        }
    }
    Ok(())
}

fn read_machine(row: &rusqlite::Row) -> rusqlite::Result<Machine> {
    Ok(Machine {
        name: row.get(0)?,
        definition: row.get(1)?,
        role_arn: row.get(2)?,
        kind: row.get(3)?,
        created: row.get(4)?,
    })
}

fn read_execution(row: &rusqlite::Row) -> rusqlite::Result<Execution> {
    Ok(Execution {
        arn: row.get(0)?,
        machine: row.get(1)?,
        name: row.get(2)?,
        input: row.get(3)?,
        status: row.get(4)?,
        output: row.get(5)?,
        error: row.get(6)?,
        cause: row.get(7)?,
        started: row.get(8)?,
        stopped: row.get(9)?,
        definition: row.get(10)?,
        redrive_count: row.get(11)?,
        redrive_date: row.get(12)?,
        checkpoint: row.get(13)?,
        test_case: row.get(14)?,
    })
}

/// Seconds since the epoch, as the JSON protocol writes timestamps.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| (d.as_millis() as f64) / 1000.0)
}
