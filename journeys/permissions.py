"""Who may read, edit and discuss journey maps: everyone signed in reads; CX leads edit."""

import rules

from cxhub.org.permissions import is_cx_lead, is_department_head, is_executive

rules.add_perm("journeys.view_map", rules.is_authenticated)
rules.add_perm("journeys.edit_map", is_cx_lead)
# CX leads, department heads and executives discuss maps (executives comment, still never edit).
rules.add_perm("journeys.comment", is_cx_lead | is_department_head | is_executive)
