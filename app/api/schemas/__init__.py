"""Request and response models of the API, one module per area, none inline in a route file.

    common             Page[T], the page-size parameters, references shared by several areas
    auth, me, citizen  tokens; the staff member's own profile; everything on the citizen side
    cases, follow_up   the staff case views and case changes; a unit's follow-up
    case_types         case types, regional templates, central case types, the export document
    message_templates  a unit's message templates and their export document
    unit_admin         the unit as its staff see it, settings, roles, staff, groups, grants
    admin, audit, ops  national administration; the PDL log and access log; readiness
    events, webhooks   the event envelopes (webhooks and the live stream); webhook subscriptions
    attachments        the upload's response; the multipart body and binary download described
    outbound           an outbound send: its body, the 201 receipt, the send as staff follow it up
    statistics         a unit's figures for a period

Names are OpenAPI component names, so every class name is unique across the package and says
what it is to someone reading a generated client (tests/api/test_openapi_names.py checks):

- a request body ends in `In` (create, or an action such as `AssignmentIn`) or in `Patch`
  (partial update: only the fields sent change);
- a response is the bare noun: `CaseSummary`, `Group`, `Region`; a reference embedded in
  another view ends in `Ref` (`CaseTypeRef`, `AssigneeRef`);
- a list is `Page[Item]` (`{items, next_cursor}`), named `<Item>Page` (`CaseSummaryPage`);
- a view that exists for several audiences names the other audience: the citizen's are
  `Citizen…` (`CitizenCaseSummary`, `CitizenCaseDetail`, `CitizenMessage`), the national
  administration's unit list is `AdminUnit`; the staff views have no prefix;
- an export document the import takes back unchanged has no suffix (`CaseTypeDocument`); one
  whose import body differs pairs `MessageTemplateDocument` with `MessageTemplateDocumentIn`;
- a response field with a fixed set of values is one of the domain's enums (app/domain), so each
  set is defined once and is one named component (`CaseStatus`, `Role`, `AuditAction`, …).
  Request bodies that took such a field as a Literal keep it (tied to the enum by an assert),
  since an enum would change the `type` their 422 reports.
"""
