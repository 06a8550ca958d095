//! Statements sent to the database, counted by the request pool's `db_statements_total` at
//! `/metrics`, read before and after a request; nothing else uses the pool in between.

use crate::helpers::TestApp;

/// The request pool's statement counter, as `/metrics` shows it now.
#[track_caller]
fn statements_so_far(app: &TestApp) -> u64 {
    let res = app.get("/metrics");
    assert_eq!(res.status, 200, "{}", res.body);
    let line = res
        .body
        .lines()
        .find(|l| l.starts_with("db_statements_total "))
        .unwrap_or_else(|| panic!("db_statements_total is exposed: {}", res.body));
    line["db_statements_total ".len()..]
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("a count ({e}): {line}"))
}

#[test]
fn each_instance_counts_the_statements_of_its_own_pool() {
    let (one, other) = (TestApp::spawn(), TestApp::spawn());
    let (one_before, other_before) = (statements_so_far(&one), statements_so_far(&other));
    // Readiness checks a connection out, and the checkout pings the database.
    assert_eq!(one.get("/readyz").status, 200);
    assert!(statements_so_far(&one) > one_before);
    // Neither the other app's request nor reading the metrics sends anything.
    assert_eq!(statements_so_far(&other), other_before);
}
