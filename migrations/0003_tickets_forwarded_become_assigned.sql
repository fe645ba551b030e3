-- Custom SQL migration file, put your code below! ---- The walking skeleton knew two statuses: "received" (waiting to be forwarded) and "forwarded".
-- Both were already routed to their agency, so both become "assigned"; delivery keeps its state.
UPDATE `tickets` SET `status` = 'assigned', `assigned_at` = `created_at`, `delivery_status` = 'delivered', `delivered_at` = `forwarded_at` WHERE `status` = 'forwarded';
--> statement-breakpoint
UPDATE `tickets` SET `status` = 'assigned', `assigned_at` = `created_at`, `delivery_status` = CASE WHEN (SELECT `forward_url` FROM `agencies` WHERE `agencies`.`id` = `tickets`.`agency_id`) IS NULL THEN 'none' ELSE 'pending' END WHERE `status` = 'received';
--> statement-breakpoint
INSERT INTO `outbox` (`kind`, `payload`, `created_at`) SELECT 'forward', json_object('kind', 'forward', 'ticketId', `id`), CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM `tickets` WHERE `delivery_status` = 'pending';
