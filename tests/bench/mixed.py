#!/usr/bin/env python3
"""The benchmark's mixed load: while wrk reads film pages, approve one edit a second through the
API and check that no read is stale. Every check reads the film's version in the database first,
then asks the server for the page with the benchmark's own query (so it shares the read cache's
entries with wrk's requests); an answer older than what the database held before the request was
sent is stale. Right after each approval is acknowledged its film is checked (read-your-writes).

Usage: mixed.py URL ENGINE DATABASE QUERY_FILE IDS_FILE SECONDS ADMIN_BINARY DATABASE_URL
Prints: BENCH_MIXED edits=N checks=N stale=N
"""
import base64
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import urllib.request

url, engine, database, query_file, ids_file, seconds, admin, database_url = sys.argv[1:9]
query = open(query_file).read()
ids = [line.strip() for line in open(ids_file) if line.strip()]
PASSWORD = "mixed-load-password-1"


def graphql(text, variables, token=None):
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": text, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.load(response)
    if body.get("errors"):
        raise SystemExit(f"mixed load: {body['errors']}")
    return body["data"]


def account(name, role):
    subprocess.run(
        [admin, "users", "create", "--username", name, "--role", role, "--password-stdin"],
        input=PASSWORD + "\n", text=True, capture_output=True,
        env={**os.environ, "DATABASE_URL": database_url},
    )  # an account left by an earlier run is fine
    data = graphql(
        "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }",
        {"u": name, "p": PASSWORD},
    )
    return data["login"]["accessToken"]


if engine == "sqlite":
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)

    def version_in_database(film):
        return connection.execute("select version from film where id = ?", (film,)).fetchone()[0]
else:
    def version_in_database(film):
        out = subprocess.run(
            ["psql", database, "-XtAq", "-c", f"select version from film where id = {int(film)}"],
            capture_output=True, text=True, check=True,
        )
        return int(out.stdout.strip())


def number(global_id):
    padded = global_id + "=" * (-len(global_id) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().split(":")[1])


editor = account("bench-editor", "editor")
reviewer = account("bench-admin", "admin")
checks = stale = edits = 0


def check(global_id):
    global checks, stale
    before = version_in_database(number(global_id))
    seen = graphql(query, {"id": global_id})["film"]["version"]
    checks += 1
    if seen < before:
        stale += 1
        print(f"stale: {global_id} answered version {seen}, the database held {before}", file=sys.stderr)


end = time.time() + float(seconds)
next_edit = time.time()
edited = []
while time.time() < end:
    if time.time() >= next_edit:
        film = random.choice(ids)
        proposed = graphql(
            "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { id } userErrors { message } } }",
            {"input": {"operation": "UPDATE", "targetId": film,
                       "changes": {"film": {"synopsis": f"Mixed-load synopsis {edits} at {time.time()}."}},
                       "reason": "Benchmark mixed load."}},
            editor,
        )["proposeEdit"]
        if proposed["userErrors"]:
            raise SystemExit(f"mixed load: {proposed['userErrors']}")
        graphql(
            "mutation($id: ID!) { approveEdit(input: {editId: $id}) { edit { status } } }",
            {"id": proposed["edit"]["id"]},
            reviewer,
        )
        edits += 1
        edited.append(film)
        check(film)
        next_edit += 1.0
    check(random.choice(edited[-20:]) if edited else random.choice(ids))
    time.sleep(0.01)

print(f"BENCH_MIXED edits={edits} checks={checks} stale={stale}")
