//! The store: state machines, executions and their history events in one SQLite database (`stepfn.sqlite3` under
//! the data directory). Each call's writes commit before it answers, in SQLite's write-ahead log with
//! `synchronous = NORMAL`: what a call acknowledged survives the process's crash (`kill -9`); an operating-system
//! crash or power loss may lose the last commits (SQLite's documented trade-off, which spares an fsync per history
//! event). SQLite through rusqlite: one file, no server.
//!
//! Writes are group-committed: one writer thread owns the only connection that writes and takes the writes queued
//! meanwhile as one batch, one transaction (each write in a savepoint of its own when it has several statements, so
//! a failing write undoes only itself). A write that answers a call (StartExecution's insert, an execution's end, a
//! machine created...) is acknowledged only once its batch has committed; a running execution's history events are
//! queued without waiting (`*_later`) and commit with the next batch, before any write queued after them. Reads go
//! to a small pool of connections of their own (WAL readers do not wait for the writer), and see every write
//! acknowledged before they began.
//!
//! History events are stored in chunks, not one row each: a chunk holds the events with ids `first..=last` of one
//! execution, their JSON texts one a line (compact JSON has no raw line break). The engine's event callback appends
//! an event's text to its execution's [`PendingEvents`] and queues a write only when that buffer was empty; the
//! write takes whatever the buffer holds when its batch runs and inserts it as one row. An execution whose events
//! all arrive between two batches (a chain of Pass states does) costs one insert instead of one per event, which
//! was most of the writer's work. Durability is as it was: a chunk commits with the next batch, before the
//! execution's end (queued after it), so a running execution's history is readable as it goes and an execution cut
//! off by `kill -9` keeps every event committed so far. Chunks of an execution never overlap, so its history is its
//! chunks in `first` order and its last event id is the `last` of its last chunk. A database made before chunks
//! (table `events`, one row per event) is migrated on open, each event becoming a chunk of one.

use crate::api::ApiError;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};

pub struct Store {
    /// Connections that only read, taken by whichever call finds one free.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    /// The writer thread's queue.
    writes: mpsc::Sender<Job>,
}

/// A write, run by the writer thread inside its batch's transaction; what it returns is told the batch's commit.
type Job = Box<dyn FnOnce(&Connection) -> Done + Send>;
/// Told whether the batch committed (or why not).
type Done = Box<dyn FnOnce(Result<(), &str>) + Send>;

/// The writer connection's page cache, in KiB.
const WRITER_CACHE_KIB: usize = 32 * 1024;

/// The most writes in one transaction.
const MAX_BATCH: usize = 4096;

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
-- The next `seq` (MAX) and the retention's newest-first walk, from the index alone (no row read per execution).
CREATE INDEX IF NOT EXISTS executions_by_seq ON executions (seq, status);
CREATE TABLE IF NOT EXISTS activities (name TEXT PRIMARY KEY, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tags (arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));
-- History events, a chunk a row: the events `first..=last` of an execution, their JSON texts one a line (see the
-- module's doc). WITHOUT ROWID: stored once, in its key's order.
CREATE TABLE IF NOT EXISTS event_chunks (
    execution TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, events TEXT NOT NULL,
    PRIMARY KEY (execution, first)) WITHOUT ROWID;
";

/// An execution's end (its history is stored already, queued before it). Ended already (a stop and the execution's
/// own end raced): the first record stands, and the answer is false.
fn finish(c: &Connection, execution: &Execution) -> rusqlite::Result<bool> {
    c.prepare_cached(
        "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stopped = ?6
         WHERE arn = ?1 AND status = 'RUNNING'",
    )?
    .execute(params![
        execution.arn,
        execution.status,
        execution.output,
        execution.error,
        execution.cause,
        execution.stopped
    ])
    .map(|changed| changed > 0)
}

/// `work` in a savepoint: a write of several statements undoes only itself when one fails, not the batch.
fn atomically<T>(
    c: &Connection,
    work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    c.prepare_cached("SAVEPOINT write")?.execute([])?;
    match work(c) {
        Ok(value) => {
            c.prepare_cached("RELEASE write")?.execute([])?;
            Ok(value)
        }
        Err(error) => {
            let _ = c.execute_batch("ROLLBACK TO write; RELEASE write");
            Err(error)
        }
    }
}

/// The writer thread: takes the first write queued and every write queued behind it (up to [`MAX_BATCH`]), runs
/// them in one transaction, commits, then tells each its result. Ends when the store is dropped.
fn write_batches(connection: &Connection, queue: &mpsc::Receiver<Job>) {
    let mut done: Vec<Done> = Vec::new();
    while let Ok(first) = queue.recv() {
        let began = connection.execute_batch("BEGIN");
        done.push(first(connection));
        while done.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => done.push(job(connection)),
                Err(_) => break,
            }
        }
        let committed = began
            .and_then(|()| connection.execute_batch("COMMIT"))
            .map_err(|error| {
                let _ = connection.execute_batch("ROLLBACK");
                error.to_string()
            });
        for done in done.drain(..) {
            done(committed.as_ref().map(drop).map_err(String::as_str));
        }
    }
}

/// Deletes the oldest closed executions (and their history) past the newest `keep`: those closed at or before the
/// `keep`-th newest closed one, found by walking the `(seq, status)` index alone.
fn retain_closed(c: &Connection, keep: usize) -> rusqlite::Result<usize> {
    let oldest_kept: Option<i64> = match keep {
        0 => Some(i64::MAX),
        _ => c
            .prepare_cached(
                "SELECT seq FROM executions WHERE status != 'RUNNING' ORDER BY seq DESC LIMIT 1 OFFSET ?1",
            )?
            .query_row(params![keep as i64 - 1], |row| row.get(0))
            .optional()?,
    };
    let Some(oldest_kept) = oldest_kept else {
        return Ok(0);
    };
    atomically(c, |c| {
        c.prepare_cached(
            "DELETE FROM event_chunks WHERE execution IN
             (SELECT arn FROM executions WHERE seq < ?1 AND status != 'RUNNING')",
        )?
        .execute(params![oldest_kept])?;
        c.prepare_cached("DELETE FROM executions WHERE seq < ?1 AND status != 'RUNNING'")?
            .execute(params![oldest_kept])
    })
}

/// A new execution's record (`RUNNING`), with the next `seq`.
fn insert_running(c: &Connection, execution: &Execution) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO executions (arn, machine, name, input, status, started, definition, test_case, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (SELECT COALESCE(MAX(seq), 0) + 1 FROM executions))",
    )?
    .execute(params![
        execution.arn,
        execution.machine,
        execution.name,
        execution.input,
        execution.status,
        execution.started,
        execution.definition,
        execution.test_case
    ])
    .map(drop)
}

/// Stores the events `first..=last` of an execution (their texts one a line) as one chunk.
fn insert_chunk(
    c: &Connection,
    execution: &str,
    first: u64,
    last: u64,
    events: &str,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR REPLACE INTO event_chunks (execution, first, last, events) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![execution, first as i64, last as i64, events])
    .map(drop)
}

/// The id of an execution's last stored event (0 if none): the `last` of its last chunk.
fn last_event_id(c: &Connection, execution: &str) -> rusqlite::Result<u64> {
    c.prepare_cached(
        "SELECT last FROM event_chunks WHERE execution = ?1 ORDER BY first DESC LIMIT 1",
    )?
    .query_row(params![execution], |row| row.get::<_, i64>(0))
    .optional()
    .map(|last| last.unwrap_or(0).max(0) as u64)
}

/// An event's JSON text on one line. Compact JSON (all the service writes) has none to remove; in valid JSON a raw
/// line break can only be whitespace between tokens (one inside a string is escaped), so a space replaces it.
fn one_line(event: &str) -> std::borrow::Cow<'_, str> {
    if event.contains('\n') {
        event.replace('\n', " ").into()
    } else {
        event.into()
    }
}

/// The history events a running execution recorded and the writer has not taken yet: the chunk in the making.
#[derive(Debug, Default)]
pub struct PendingEvents {
    first: u64,
    last: u64,
    /// Their JSON texts, one a line.
    text: String,
}

impl PendingEvents {
    /// Adds the event `id` (its JSON text, events in id order). True when it is the first since the writer last
    /// took them: the caller then queues [`Store::append_events_later`].
    pub fn push(&mut self, id: u64, event: &str) -> bool {
        let first = self.text.is_empty();
        if first {
            self.first = id;
        } else {
            self.text.push('\n');
        }
        self.last = id;
        self.text.push_str(&one_line(event));
        first
    }

    /// What it holds, as a chunk (`first`, `last`, texts), leaving it empty.
    fn take(&mut self) -> Option<(u64, u64, String)> {
        (!self.text.is_empty()).then(|| (self.first, self.last, std::mem::take(&mut self.text)))
    }
}

/// Moves the events of a database made before chunks (table `events`, one row per event) into `event_chunks`, a
/// chunk of one each, and drops the old table, in one transaction. Nothing to do for a newer database.
fn migrate_event_rows(connection: &Connection) -> rusqlite::Result<()> {
    let old: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events')",
        [],
        |row| row.get(0),
    )?;
    if old {
        connection.execute_batch(
            "BEGIN;
             INSERT OR REPLACE INTO event_chunks (execution, first, last, events)
                 SELECT execution, id, id, replace(event, char(10), ' ') FROM events;
             DROP TABLE events;
             COMMIT;",
        )?;
    }
    Ok(())
}

fn writer_gone() -> ApiError {
    ApiError::internal("the store failed: its writer has stopped")
}

fn internal(error: rusqlite::Error) -> ApiError {
    ApiError::internal(format!("the store failed: {error}"))
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
        let file = dir.join("stepfn.sqlite3");
        let open = || {
            Connection::open(&file).map_err(|e| format!("cannot open `{}`: {e}", file.display()))
        };
        let writer = open()?;
        writer
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .and_then(|()| writer.execute_batch(SCHEMA))
            .and_then(|()| add_missing_columns(&writer))
            .and_then(|()| migrate_event_rows(&writer))
            .map_err(|e| format!("cannot prepare `{}`: {e}", file.display()))?;
        writer.set_prepared_statement_cache_capacity(64);
        // The writer's pages stay cached across its transactions (no other connection writes): room for the
        // indexes that every insert walks, so they are not read again from the file.
        writer
            .execute_batch(&format!("PRAGMA cache_size = -{WRITER_CACHE_KIB};"))
            .map_err(|e| format!("cannot prepare `{}`: {e}", file.display()))?;
        let readers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(2, 8);
        let readers = (0..readers)
            .map(|_| open().map(Mutex::new))
            .collect::<Result<Vec<_>, String>>()?;
        let (writes, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("stepfn-store-writer".into())
            .spawn(move || write_batches(&writer, &queue))
            .map_err(|e| format!("cannot start the store's writer thread: {e}"))?;
        Ok(Store {
            readers,
            next_reader: AtomicUsize::new(0),
            writes,
        })
    }

    /// Reads with a connection of the pool: the first free one, else the next in turn.
    fn with<T>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, ApiError> {
        let connection = self
            .readers
            .iter()
            .find_map(|reader| reader.try_lock().ok())
            .unwrap_or_else(|| {
                let next = self.next_reader.fetch_add(1, Ordering::Relaxed);
                self.readers[next % self.readers.len()]
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
            });
        work(&connection).map_err(internal)
    }

    /// Queues a write; `reply` is told its result once its batch has committed (or failed).
    fn queue<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
        reply: impl FnOnce(Result<T, ApiError>) + Send + 'static,
    ) {
        let job: Job = Box::new(move |connection| {
            let result = work(connection);
            Box::new(move |committed: Result<(), &str>| {
                reply(match committed {
                    Ok(()) => result.map_err(internal),
                    Err(error) => Err(ApiError::internal(format!("the store failed: {error}"))),
                })
            })
        });
        // The writer thread stops only with the store: a write queued then is dropped, and its reply with it (the
        // caller sees the writer gone).
        let _ = self.writes.send(job);
    }

    /// A write, once committed (for calls that answer from a blocking context).
    fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (sender, receiver) = mpsc::sync_channel(1);
        self.queue(work, move |result| {
            let _ = sender.send(result);
        });
        receiver.recv().unwrap_or_else(|_| Err(writer_gone()))
    }

    /// A write, once committed, without blocking the runtime's thread meanwhile.
    async fn write_async<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        self.queue(work, move |result| {
            let _ = sender.send(result);
        });
        receiver.await.unwrap_or_else(|_| Err(writer_gone()))
    }

    /// A write queued without waiting: it commits with the next batch, before anything queued after it.
    fn write_later(&self, work: impl FnOnce(&Connection) -> rusqlite::Result<()> + Send + 'static) {
        self.queue(work, |result| {
            if let Err(error) = result {
                eprintln!("stepfn serve: {}", error.message);
            }
        });
    }

    /// Executions still `RUNNING` from before a restart: they were cut off. Marks them failed, with a cause that
    /// says so and an `ExecutionFailed` event ending their history (RedriveExecution goes on from the state each
    /// was in), and returns how many.
    pub fn fail_interrupted(&self) -> Result<usize, String> {
        self.write(|c| {
            let cut_off: Vec<(String, String, f64)> = {
                let mut query = c.prepare("SELECT arn, input, started FROM executions WHERE status = 'RUNNING'")?;
                let rows = query.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let stopped = now();
            for (arn, input, started) in &cut_off {
                c.execute(
                    "UPDATE executions SET status = 'FAILED', error = ?2, cause = ?3, stopped = ?4 WHERE arn = ?1",
                    params![arn, INTERRUPTED_ERROR, INTERRUPTED_CAUSE, stopped],
                )?;
                let mut last = last_event_id(c, arn)?;
                if last == 0 {
                    last = 1;
                    insert_chunk(c, arn, 1, 1, &started_event(input, *started))?;
                }
                let failed = serde_json::json!({
                    "timestamp": stopped, "type": "ExecutionFailed", "id": last + 1, "previousEventId": last,
                    "executionFailedEventDetails": {"error": INTERRUPTED_ERROR, "cause": INTERRUPTED_CAUSE},
                });
                insert_chunk(c, arn, last + 1, last + 1, &failed.to_string())?;
            }
            Ok(cut_off.len())
        })
        .map_err(|e| e.message)
    }

    /// Keeps where a running execution stands (its last top-level state entered), without waiting: the write takes
    /// what `pending` holds when its batch runs (the latest checkpoint) and commits with that batch, before the
    /// execution's end. `run` is the execution's redrive count when this run started: a run redriven since (or
    /// ended) is left alone.
    pub fn save_checkpoint_later(
        &self,
        execution: Arc<str>,
        run: u32,
        pending: Arc<Mutex<Option<String>>>,
    ) {
        self.write_later(move |c| {
            let latest = pending
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take();
            match latest {
                Some(checkpoint) => c
                    .prepare_cached(
                        "UPDATE executions SET checkpoint = ?2
                         WHERE arn = ?1 AND status = 'RUNNING' AND redrive_count = ?3",
                    )?
                    .execute(params![&*execution, checkpoint, run])
                    .map(drop),
                None => Ok(()),
            }
        });
    }

    /// [`Store::save_checkpoint_later`], answered once committed.
    pub fn save_checkpoint(&self, execution: &str, checkpoint: &str) -> Result<(), ApiError> {
        let (execution, checkpoint) = (execution.to_owned(), checkpoint.to_owned());
        self.write(move |c| {
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
        let (execution, token) = (execution.to_owned(), token.map(str::to_owned));
        self.write(move |c| {
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

    pub fn insert_machine(&self, machine: &Machine) -> Result<(), ApiError> {
        let machine = machine.clone();
        self.write(move |c| {
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
        let (name, definition) = (name.to_owned(), definition.to_owned());
        self.write(move |c| {
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
            c.prepare_cached(
                "SELECT name, definition, role_arn, kind, created FROM state_machines WHERE name = ?1",
            )?
            .query_row(params![name], read_machine)
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
        let (name, definition, role_arn) =
            (name.to_owned(), definition.to_owned(), role_arn.to_owned());
        self.write(move |c| {
            c.execute(
                "UPDATE state_machines SET definition = ?2, role_arn = ?3 WHERE name = ?1",
                params![name, definition, role_arn],
            )
            .map(drop)
        })
    }

    pub fn delete_machine(&self, name: &str) -> Result<(), ApiError> {
        let name = name.to_owned();
        self.write(move |c| {
            c.execute("DELETE FROM state_machines WHERE name = ?1", params![name])
                .map(drop)
        })
    }

    /// Records a new execution; answers once committed.
    pub fn insert_execution(&self, execution: &Execution) -> Result<(), ApiError> {
        let execution = execution.clone();
        self.write(move |c| insert_running(c, &execution))
    }

    /// [`Store::insert_execution`] from a task (StartExecution answers only once the record has committed); the
    /// runtime's thread is not blocked meanwhile, so the writes of many calls commit together.
    pub async fn insert_execution_async(&self, execution: &Execution) -> Result<(), ApiError> {
        let execution = execution.clone();
        self.write_async(move |c| insert_running(c, &execution))
            .await
    }

    pub fn execution(&self, arn: &str) -> Result<Option<Execution>, ApiError> {
        self.with(|c| {
            c.prepare_cached(&format!(
                "SELECT {EXECUTION_COLUMNS} FROM executions WHERE arn = ?1"
            ))?
            .query_row(params![arn], read_execution)
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

    /// Records how an execution ended; answers once committed.
    pub fn finish_execution(&self, execution: &Execution) -> Result<bool, ApiError> {
        let execution = execution.clone();
        self.write(move |c| finish(c, &execution))
    }

    /// [`Store::finish_execution`] from a task: the runtime's thread is not blocked while the batch commits.
    /// `retain`: the retention bound to apply in the same transaction, when due (so whoever sees the end sees the
    /// bound applied).
    pub async fn finish_execution_async(
        &self,
        execution: &Execution,
        retain: Option<usize>,
    ) -> Result<(), ApiError> {
        let execution = execution.clone();
        self.write_async(move |c| {
            finish(c, &execution)?;
            retain
                .map_or(Ok(0), |keep| retain_closed(c, keep))
                .map(drop)
        })
        .await
    }

    /// Creates the activity `name` unless it exists; its creation date either way.
    pub fn create_activity(&self, name: &str) -> Result<f64, ApiError> {
        let name = name.to_owned();
        self.write(move |c| {
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
        let name = name.to_owned();
        self.write(move |c| {
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
        let arn = arn.to_owned();
        self.write(move |c| {
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
        let (arn, tags, remove) = (arn.to_owned(), tags.to_vec(), remove.to_vec());
        self.write(move |c| {
            atomically(c, |c| {
                for (key, value) in &tags {
                    c.execute(
                        "INSERT OR REPLACE INTO tags (arn, key, value) VALUES (?1, ?2, ?3)",
                        params![arn, key, value],
                    )?;
                }
                for key in &remove {
                    c.execute(
                        "DELETE FROM tags WHERE arn = ?1 AND key = ?2",
                        params![arn, key],
                    )?;
                }
                Ok(())
            })
        })
    }

    /// Records one history event of a running execution (StopExecution's), as a chunk of its own; answers once
    /// committed.
    pub fn append_event(&self, execution: &str, id: u64, event: &str) -> Result<(), ApiError> {
        let (execution, event) = (execution.to_owned(), one_line(event).into_owned());
        self.write(move |c| insert_chunk(c, &execution, id, id, &event))
    }

    /// Records a running execution's history events as they happen, without waiting: the write takes what `pending`
    /// holds when its batch runs (every event pushed since the last such write) and stores it as one chunk, which
    /// commits with that batch, before the execution's end (queued after it). Queue it when
    /// [`PendingEvents::push`] says the buffer was empty.
    pub fn append_events_later(&self, execution: Arc<str>, pending: Arc<Mutex<PendingEvents>>) {
        self.write_later(move |c| {
            let chunk = pending
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take();
            match chunk {
                Some((first, last, events)) => insert_chunk(c, &execution, first, last, &events),
                None => Ok(()),
            }
        });
    }

    /// How many history events an execution has: the id of its last (ids run from 1 without gaps).
    pub fn event_count(&self, execution: &str) -> Result<u64, ApiError> {
        self.with(|c| last_event_id(c, execution))
    }

    /// The history events of an execution, in order, as stored (JSON text).
    pub fn events(&self, execution: &str) -> Result<Vec<String>, ApiError> {
        self.with(|c| {
            let mut query = c.prepare_cached(
                "SELECT events FROM event_chunks WHERE execution = ?1 ORDER BY first",
            )?;
            let mut rows = query.query(params![execution])?;
            let mut events = Vec::new();
            while let Some(row) = rows.next()? {
                let chunk: String = row.get(0)?;
                events.extend(chunk.split('\n').map(str::to_owned));
            }
            Ok(events)
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
