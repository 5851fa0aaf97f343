//! The store's history events, written in chunks (serve/src/store.rs): a history written in several chunks reads back
//! in order, paged and reversed by GetExecutionHistory, and continues where it stands (StopExecution); a data
//! directory made before chunks (one row per event) still opens, reads, and continues.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use stepfn_serve::api::Service;
use stepfn_serve::store::{Execution, PendingEvents, Store};

/// A fresh directory, removed at the end.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let path =
            std::env::temp_dir().join(format!("stepfn-serve-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Dir(path)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:Chain:run";

fn execution(arn: &str, status: &str) -> Execution {
    Execution {
        arn: arn.into(),
        machine: "Chain".into(),
        name: arn.rsplit(':').next().unwrap().into(),
        input: "{}".into(),
        status: status.into(),
        output: None,
        error: None,
        cause: None,
        started: 1_700_000_000.0,
        stopped: None,
        definition: r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#.into(),
        redrive_count: 0,
        redrive_date: None,
        checkpoint: None,
        test_case: None,
    }
}

fn event(id: u64) -> Value {
    json!({"timestamp": 1_700_000_000.0 + id as f64, "type": "PassStateEntered", "id": id,
           "previousEventId": id - 1, "stateEnteredEventDetails": {"name": format!("S{id}"), "input": "{\"a\":\n1}"}})
}

fn service(store: Store) -> Arc<Service> {
    Arc::new(Service::new(
        store,
        true,
        stepfn_engine::Resources::default(),
        None,
        1000,
        None,
    ))
}

/// Every page of GetExecutionHistory, `maxResults` at a time: the events' ids in the order answered.
async fn history_ids(service: &Arc<Service>, reverse: bool, size: u64) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = json!({"executionArn": ARN, "reverseOrder": reverse, "maxResults": size});
        if let Some(token) = &token {
            request["nextToken"] = json!(token);
        }
        let page = service
            .call("GetExecutionHistory", &request)
            .await
            .expect("GetExecutionHistory");
        let events = page["events"].as_array().unwrap();
        assert!(events.len() <= size as usize);
        ids.extend(events.iter().map(|e| e["id"].as_u64().unwrap()));
        match page["nextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => return ids,
        }
    }
}

fn chunk_rows(dir: &Path, arn: &str) -> Vec<(i64, i64)> {
    let c = rusqlite::Connection::open(dir.join("stepfn.sqlite3")).unwrap();
    let mut query = c
        .prepare("SELECT first, last FROM event_chunks WHERE execution = ?1 ORDER BY first")
        .unwrap();
    let rows = query
        .query_map([arn], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

#[tokio::test]
async fn a_history_written_in_chunks_reads_back_in_order() {
    let dir = Dir::new("chunks");
    let store = Store::open(&dir.0).unwrap();
    store.insert_execution(&execution(ARN, "RUNNING")).unwrap();
    // Three chunks, as three of the writer's batches would take them: 1, 2..=5 (one pretty-printed: its line breaks
    // are whitespace), 6..=10. Only the first event of a chunk queues a write; the rest join it (the buffer is held
    // meanwhile, so the writer cannot take it before the chunk is complete).
    let pending: Arc<Mutex<PendingEvents>> = Arc::default();
    let arn: Arc<str> = ARN.into();
    let mut expected = Vec::new();
    for chunk in [1..=1, 2..=5, 6..=10] {
        let mut buffer = pending.lock().unwrap();
        for id in chunk.clone() {
            let event = event(id);
            let text = if id == 3 {
                serde_json::to_string_pretty(&event).unwrap()
            } else {
                event.to_string()
            };
            let first = buffer.push(id, &text);
            assert_eq!(first, id == *chunk.start(), "event {id}");
            if first {
                store.append_events_later(arn.clone(), pending.clone());
            }
            expected.push(event);
        }
        drop(buffer);
        // A write answered once committed: every write queued before it has committed too.
        store.save_checkpoint(ARN, "null").unwrap();
    }
    assert_eq!(chunk_rows(&dir.0, ARN), [(1, 1), (2, 5), (6, 10)]);
    let events: Vec<Value> = store
        .events(ARN)
        .unwrap()
        .iter()
        .map(|text| serde_json::from_str(text).unwrap())
        .collect();
    assert_eq!(events, expected);
    assert_eq!(store.event_count(ARN).unwrap(), 10);

    // GetExecutionHistory pages through them, either way round.
    let service = service(store);
    let forward: Vec<u64> = (1..=10).collect();
    let backward: Vec<u64> = (1..=10).rev().collect();
    assert_eq!(history_ids(&service, false, 3).await, forward);
    assert_eq!(history_ids(&service, false, 1000).await, forward);
    assert_eq!(history_ids(&service, true, 4).await, backward);
    assert_eq!(history_ids(&service, true, 1).await, backward);

    // StopExecution goes on after the last chunk.
    service
        .call("StopExecution", &json!({"executionArn": ARN, "error": "E"}))
        .await
        .unwrap();
    let history = service
        .call(
            "GetExecutionHistory",
            &json!({"executionArn": ARN, "reverseOrder": true}),
        )
        .await
        .unwrap();
    let last = &history["events"][0];
    assert_eq!(last["type"], "ExecutionAborted");
    assert_eq!(
        (last["id"].as_u64(), last["previousEventId"].as_u64()),
        (Some(11), Some(10))
    );
    assert_eq!(service.store.event_count(ARN).unwrap(), 11);
}

/// The schemas of `events` before chunks: a rowid table (the first versions), then `WITHOUT ROWID`.
const OLD_EVENTS: [&str; 2] = [
    "CREATE TABLE events (
        execution TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (execution, id));",
    "CREATE TABLE events (
        execution TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (execution, id)) WITHOUT ROWID;",
];

/// The tables of the version before chunks (without `events`).
const OLD_SCHEMA: &str = "
CREATE TABLE state_machines (
    name TEXT PRIMARY KEY, definition TEXT NOT NULL, role_arn TEXT NOT NULL, kind TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE executions (
    arn TEXT PRIMARY KEY, machine TEXT NOT NULL, name TEXT NOT NULL, input TEXT NOT NULL, status TEXT NOT NULL,
    output TEXT, error TEXT, cause TEXT, started REAL NOT NULL, stopped REAL, definition TEXT NOT NULL,
    seq INTEGER NOT NULL, redrive_count INTEGER NOT NULL DEFAULT 0, redrive_date REAL, redrive_token TEXT,
    checkpoint TEXT, test_case TEXT);
CREATE INDEX executions_by_machine ON executions (machine, seq);
CREATE TABLE activities (name TEXT PRIMARY KEY, created REAL NOT NULL);
CREATE TABLE tags (arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));
";

#[tokio::test]
async fn a_database_with_an_event_a_row_opens_and_reads() {
    for (variant, events_table) in OLD_EVENTS.iter().enumerate() {
        let dir = Dir::new(&format!("old{variant}"));
        let cut_off = "arn:aws:states:us-east-1:123456789012:execution:Chain:cut";
        {
            let c = rusqlite::Connection::open(dir.0.join("stepfn.sqlite3")).unwrap();
            c.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
            c.execute_batch(OLD_SCHEMA).unwrap();
            c.execute_batch(events_table).unwrap();
            for (seq, (arn, status)) in [(ARN, "SUCCEEDED"), (cut_off, "RUNNING")]
                .into_iter()
                .enumerate()
            {
                c.execute(
                    "INSERT INTO executions (arn, machine, name, input, status, started, definition, seq)
                     VALUES (?1, 'Chain', ?1, '{}', ?2, 1700000000.0, '{}', ?3)",
                    rusqlite::params![arn, status, seq as i64 + 1],
                )
                .unwrap();
            }
            for id in 1..=3 {
                // Stored pretty-printed once (line breaks between tokens), as no version wrote but JSON allows.
                let text = if id == 2 {
                    serde_json::to_string_pretty(&event(id)).unwrap()
                } else {
                    event(id).to_string()
                };
                c.execute(
                    "INSERT INTO events (execution, id, event) VALUES (?1, ?2, ?3)",
                    rusqlite::params![ARN, id as i64, text],
                )
                .unwrap();
            }
            for id in 1..=2 {
                c.execute(
                    "INSERT INTO events (execution, id, event) VALUES (?1, ?2, ?3)",
                    rusqlite::params![cut_off, id as i64, event(id).to_string()],
                )
                .unwrap();
            }
        }
        let store = Store::open(&dir.0).unwrap();
        // The execution cut off by the old version's end fails after its last event.
        assert_eq!(store.fail_interrupted().unwrap(), 1);
        let read = |arn: &str| -> Vec<Value> {
            store
                .events(arn)
                .unwrap()
                .iter()
                .map(|text| serde_json::from_str(text).unwrap())
                .collect()
        };
        assert_eq!(read(ARN), (1..=3).map(event).collect::<Vec<_>>());
        let cut = read(cut_off);
        assert_eq!(cut[..2], [event(1), event(2)]);
        assert_eq!(cut[2]["type"], "ExecutionFailed");
        assert_eq!(
            (cut[2]["id"].as_u64(), cut[2]["previousEventId"].as_u64()),
            (Some(3), Some(2))
        );
        assert_eq!(store.event_count(ARN).unwrap(), 3);
        assert_eq!(store.event_count(cut_off).unwrap(), 3);
        assert_eq!(chunk_rows(&dir.0, ARN), [(1, 1), (2, 2), (3, 3)]);
        // The old table is gone, and opening again changes nothing.
        drop(store);
        let store = Store::open(&dir.0).unwrap();
        assert_eq!(store.events(ARN).unwrap().len(), 3);
        let c = rusqlite::Connection::open(dir.0.join("stepfn.sqlite3")).unwrap();
        let old: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'events'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(old, 0);
        // GetExecutionHistory reads it, paged and reversed.
        let service = service(store);
        assert_eq!(history_ids(&service, true, 2).await, [3, 2, 1]);
    }
}
