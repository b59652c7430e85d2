"""Routers by audience, one module per resource; no SQL and no business rules here.

Top level: the public routes (`auth`, `ops`, `case_type_categories`). `staff/`: a staff member at
a unit (`/units/{unit_id}/…`) and their own profile (`/me`). `citizen/`: `/citizen/…`. `admin/`:
administration above one unit — national (`/admin/…`, system_admin) and regional
(`/regions/{region_id}/…`). app/main.py registers them, the hot routers first.
"""
