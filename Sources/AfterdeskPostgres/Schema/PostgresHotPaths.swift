// The third PostgreSQL migration (issue 29, step c): what dispatch and the task queue need to be fast on PostgreSQL.

extension PostgresMigrations {
    /// `p3-hot-paths`:
    /// - `touches_planned_due`: the planned touches by due instant and id, with the customer and action, what
    ///   `dueTouches` reads a page of: its `WHERE status = 'planned' AND due_at <= … ORDER BY due_at, id LIMIT …` walks
    ///   this index in order and stops after the page (an index-only scan). Without it PostgreSQL reads every touch due
    ///   at the page's instants through `touches_due` (status, due_at) and sorts them by id: a benchmark's 100,000
    ///   touches due at one instant, for every page. (The customer and action are included: without them the planner
    ///   judged the heap visits of this index dearer than that sort, on a table in insertion order.)
    /// - The task queue's triggers: every statement that changes a table the queue's answer reads (tasks, customers,
    ///   staff, stores; and the touch items, deals and vehicles its vehicle and products come from) sends
    ///   `NOTIFY afterdesk_task_queue`. PostgreSQL delivers a notification when its transaction commits, once per
    ///   transaction however many statements sent it, to every server listening: each then knows its kept answers
    ///   are stale (`TaskQueueListener`).
    static let hotPaths = """
        CREATE INDEX touches_planned_due ON touches(due_at, id) INCLUDE (customer_id, action) WHERE status = 'planned';

        CREATE FUNCTION afterdesk_task_queue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('afterdesk_task_queue', '');
            RETURN NULL;
        END;
        $$;
        CREATE TRIGGER tasks_task_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tasks
            FOR EACH STATEMENT EXECUTE FUNCTION afterdesk_task_queue_changed();
        CREATE TRIGGER customers_task_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON customers
            FOR EACH STATEMENT EXECUTE FUNCTION afterdesk_task_queue_changed();
        CREATE TRIGGER staff_task_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff
            FOR EACH STATEMENT EXECUTE FUNCTION afterdesk_task_queue_changed();
        CREATE TRIGGER stores_task_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stores
            FOR EACH STATEMENT EXECUTE FUNCTION afterdesk_task_queue_changed();
        CREATE TRIGGER touch_items_task_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON touch_items
            FOR EACH STATEMENT EXECUTE FUNCTION afterdesk_task_queue_changed();
        CREATE TRIGGER deals_task_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON deals
            FOR EACH STATEMENT EXECUTE FUNCTION afterdesk_task_queue_changed();
        CREATE TRIGGER vehicles_task_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vehicles
            FOR EACH STATEMENT EXECUTE FUNCTION afterdesk_task_queue_changed();
        """
}
