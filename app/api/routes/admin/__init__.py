"""Administration above one unit: national (`/admin/...`) and regional (`/regions/{region_id}/...`)."""
