-- The member of staff who sees a work order through for the office; they hear on their devices
-- when it is given to them.
ALTER TABLE work_orders ADD COLUMN assignee_id TEXT;
