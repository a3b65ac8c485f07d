-- The member of staff who sees a work order through for the office; they hear on their devices
-- when it is given to them.
ALTER TABLE work_orders ADD COLUMN assignee_id TEXT;
ALTER TABLE work_orders ADD CONSTRAINT work_orders_assignee
    FOREIGN KEY (organisation_id, assignee_id) REFERENCES staff_users (organisation_id, id);
