#!/usr/bin/env bash
# The case life cycle end to end against a running `make run` (demo data loaded):
# citizen sends → receiver distributes with a partial reply → handler counter-questions →
# citizen answers → handler answers; then the citizen's access log, the reviewer's PDL log and
# the receiver's follow-up; an outbound questions form answered by the citizen; the clinic
# manager's statistics. Exits non-zero on the first unexpected status code.
#
#   scripts/walkthrough.sh                      # against http://127.0.0.1:8000
#   BASE=http://127.0.0.1:8011 scripts/walkthrough.sh
set -euo pipefail

BASE="${BASE:-http://127.0.0.1:8000}"
API="$BASE/api/v1"
CITIZEN_PNR="${CITIZEN_PNR:-19900101-2385}"       # Maja Svensson (demo citizen), any written form
RECEIVER_HSA="SE2321000131-P000000000001"           # Karin Mottagare, case_receiver
HANDLER_HSA="SE2321000131-P000000000002"            # Hans Handläggare, case_handler
REVIEWER_HSA="SE2321000131-P000000000006"           # Greta Granskare, reviewer
MANAGER_HSA="SE2321000131-P000000000004"            # Lars Lokaladmin, local_admin
TMP="$(mktemp -d)"
exec 3>&1  # progress lines go here, also from inside $(...)
trap 'rm -rf "$TMP"' EXIT

# json EXPR: read the last response body and print EXPR evaluated on it (Python, `d` = the body).
json() { python3 -c "import json,sys; d=json.load(open('$TMP/body')); print($1)"; }

# call EXPECTED METHOD PATH TOKEN [BODY] [HEADER...]: one request; fail loudly on another status.
call() {
  local expected="$1" method="$2" path="$3" token="$4" body="${5:-}"
  shift 5 || shift $#
  local args=(-sS -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -X "$method" "$API$path")
  [[ -n "$token" ]] && args+=(-H "Authorization: Bearer $token")
  [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data "$body")
  for h in "$@"; do args+=(-H "$h"); done
  local status
  status="$(curl "${args[@]}")"
  if [[ "$status" != "$expected" ]]; then
    echo "FAIL $method $path: expected $expected, got $status" >&2
    cat "$TMP/body" >&2; echo >&2
    exit 1
  fi
  local shown
  shown="$(sed -E 's/[0-9a-f]{8}-[0-9a-f-]{27}/{id}/g' <<<"${path%%\?*}")"
  printf '  %-4s %-52s %s\n' "$method" "$shown" "$status" >&3
}

etag() { grep -i '^etag:' "$TMP/headers" | tr -d '\r' | cut -d' ' -f2-; }

staff_token() {
  call 200 POST /auth/staff/token "" "{\"hsa_id\": \"$1\"}"
  json "d['access_token']"
}

echo "1. The citizen logs in, finds the clinic and sends a case"
call 200 POST /auth/citizen/token "" "{\"personal_number\": \"$CITIZEN_PNR\"}"
CITIZEN="$(json "d['access_token']")"
# Notice of clinic messages by e-mail (a fixed text, no case content): in var/mail/ with make run.
call 200 PATCH /citizen/me "$CITIZEN" '{"email": "maja@example.se", "notify_by_email": true}'
call 200 GET "/citizen/units?q=norrmalm" "$CITIZEN"
UNIT="$(json "d['items'][0]['id']")"
call 200 GET "/citizen/units/$UNIT/case-types" "$CITIZEN"
CASE_TYPE="$(json "next(t['id'] for t in d['items'] if t['name'] == 'Förnya recept')")"
NEW_CASE="{\"unit_id\": \"$UNIT\", \"case_type_id\": \"$CASE_TYPE\", \"terms_accepted\": true,
  \"answers\": {\"medicine\": \"Levaxin 75 mikrogram\", \"pharmacy\": \"Apotek\"},
  \"message\": \"Hej! Jag behöver förnya mitt recept på Levaxin.\"}"
KEY="walkthrough-$(date +%s)-$$"
call 201 POST /citizen/cases "$CITIZEN" "$NEW_CASE" "Idempotency-Key: $KEY"
CASE="$(json "d['id']")"
echo "     case $(json "d['reference']"), status $(json "d['status']"), due $(json "d['due_at']")"
call 201 POST /citizen/cases "$CITIZEN" "$NEW_CASE" "Idempotency-Key: $KEY"
[[ "$(json "d['id']")" == "$CASE" ]] || { echo "FAIL: the repeat created another case" >&2; exit 1; }

echo "2. The receiver finds it in the inbox and distributes it with a partial reply"
RECEIVER="$(staff_token "$RECEIVER_HSA")"
call 200 GET "/units/$UNIT/cases?status=new&limit=200" "$RECEIVER"
[[ "$(json "any(c['id'] == '$CASE' for c in d['items'])")" == "True" ]] || { echo "FAIL: not in the inbox" >&2; exit 1; }
call 200 GET "/units/$UNIT/staff" "$RECEIVER"
HANS="$(json "next(s['id'] for s in d['items'] if s['hsa_id'] == '$HANDLER_HSA')")"
call 200 GET "/units/$UNIT/cases/$CASE" "$RECEIVER"
call 200 POST "/units/$UNIT/cases/$CASE/assignment" "$RECEIVER" \
  "{\"assignee\": {\"type\": \"staff\", \"id\": \"$HANS\"},
    \"partial_reply\": {\"body\": \"Hej! Vi har tagit emot ditt ärende och återkommer.\"}}" \
  "If-Match: $(etag)"
call 412 POST "/units/$UNIT/cases/$CASE/assignment" "$RECEIVER" "{\"assignee\": null}" 'If-Match: "1"'

echo "3. The handler asks a counter-question"
HANDLER="$(staff_token "$HANDLER_HSA")"
call 200 GET "/units/$UNIT/cases?assignee=me" "$HANDLER"
call 200 GET "/units/$UNIT/cases/$CASE" "$HANDLER"
call 201 POST "/units/$UNIT/cases/$CASE/messages" "$HANDLER" \
  "{\"kind\": \"counter_question\", \"body\": \"Hej! Tar du 75 mikrogram varje dag?\"}" "If-Match: $(etag)"

echo "4. The citizen reads the thread and answers"
call 200 GET "/citizen/cases/$CASE" "$CITIZEN"
[[ "$(json "d['status']")" == "awaiting_citizen" ]] || { echo "FAIL: not awaiting_citizen" >&2; exit 1; }
call 201 POST "/citizen/cases/$CASE/messages" "$CITIZEN" "{\"body\": \"Ja, en tablett varje morgon.\"}"

echo "5. The handler answers; the case is closed"
call 200 GET "/units/$UNIT/cases/$CASE" "$HANDLER"
call 201 POST "/units/$UNIT/cases/$CASE/messages" "$HANDLER" \
  "{\"kind\": \"answer\", \"body\": \"Hej! Ditt recept är förnyat.\"}" "If-Match: $(etag)"
call 409 POST "/units/$UNIT/cases/$CASE/messages" "$HANDLER" "{\"kind\": \"answer\", \"body\": \"Igen.\"}"
call 200 GET "/citizen/cases/$CASE" "$CITIZEN"
[[ "$(json "d['status']")" == "closed" ]] || { echo "FAIL: not closed" >&2; exit 1; }
echo "     the citizen sees: $(json "[m['kind'] for m in d['messages']]")"
call 409 POST "/citizen/cases/$CASE/messages" "$CITIZEN" "{\"body\": \"Tack!\"}"

echo "6. Who looked at my data? The citizen's PDL extract, the reviewer's log, the follow-up"
call 200 GET "/citizen/access-log?limit=10" "$CITIZEN"
echo "     latest: $(json "[(e['action'], e['unit']['name']) for e in d['items'][:3]]")"
REVIEWER="$(staff_token "$REVIEWER_HSA")"
call 200 GET "/units/$UNIT/audit-events?personal_number=$CITIZEN_PNR&limit=5" "$REVIEWER"
call 200 GET "/units/$UNIT/audit-events?action=case_read" "$REVIEWER" "" "Accept: text/csv"
call 403 GET "/units/$UNIT/audit-events" "$RECEIVER"
call 200 GET "/units/$UNIT/follow-up" "$RECEIVER"
echo "     follow-up: new $(json "d['new']"), awaiting $(json "d['awaiting_citizen']"), overdue $(json "d['overdue']")"
call 403 GET "/units/$UNIT/follow-up" "$HANDLER"

echo "7. The handler sends a questions form to two citizens (outbound); the citizen answers it"
call 200 GET "/units/$UNIT/message-templates" "$HANDLER"
TEMPLATE="$(json "next(t['id'] for t in d['items'] if t['kind'] == 'questions')")"
SEND="{\"recipients\": [\"$CITIZEN_PNR\", \"19121212-1212\", \"121212+1212\"], \"template_id\": \"$TEMPLATE\"}"
call 403 POST "/units/$UNIT/outbound" "$RECEIVER" "$SEND"
call 201 POST "/units/$UNIT/outbound" "$HANDLER" "$SEND" "Idempotency-Key: $KEY-outbound"
OUTBOUND="$(json "d['id']")"
OUT_CASE="$(json "d['case_ids'][0]")"
echo "     $(json "d['recipient_count']") recipients: Tolvan written two ways counts once"
call 422 POST "/units/$UNIT/outbound" "$HANDLER" "{\"recipients\": [\"19121212-1213\"], \"template_id\": \"$TEMPLATE\"}"
call 200 GET "/citizen/cases/$OUT_CASE" "$CITIZEN"
echo "     the citizen is asked: $(json "[q['label'] for q in d['form']]")"
call 422 POST "/citizen/cases/$OUT_CASE/messages" "$CITIZEN" "{\"body\": \"\", \"answers\": {}}"
call 201 POST "/citizen/cases/$OUT_CASE/messages" "$CITIZEN" \
  "{\"body\": \"Det går bra.\", \"answers\": {\"feeling\": \"Bättre\"}}"
call 200 GET "/units/$UNIT/outbound/$OUTBOUND" "$RECEIVER"
echo "     the send's cases by status: $(json "d['status_counts']")"

echo "8. The clinic manager's statistics (JSON, then CSV for Excel)"
MANAGER="$(staff_token "$MANAGER_HSA")"
call 200 GET "/units/$UNIT/statistics" "$MANAGER"
echo "     last 30 days: received $(json "d['received']"), closed $(json "d['closed']"), within deadline $(json "d['answered_within_deadline']")"
call 200 GET "/units/$UNIT/statistics?from=2026-01-01&to=2026-12-31" "$MANAGER" "" "Accept: text/csv"
call 422 GET "/units/$UNIT/statistics?from=2026-12-31&to=2026-01-01" "$MANAGER"
call 403 GET "/units/$UNIT/statistics" "$HANDLER"
echo "OK: the walk-through ran end to end"
echo "Notifications (make run without SMTP_HOST): the unit's 'Nytt ärende' and Maja's notices are"
echo "in var/mail/*.eml once the worker has sent them (a second or so); python -m app.cli outbox lists the rest."
