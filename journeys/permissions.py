"""Who may read and edit journey maps: everyone signed in reads; CX leads edit."""

import rules

from cxhub.org.permissions import is_cx_lead

rules.add_perm("journeys.view_map", rules.is_authenticated)
rules.add_perm("journeys.edit_map", is_cx_lead)
