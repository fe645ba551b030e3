ALTER TABLE `tickets` ADD `approved_at` integer;--> statement-breakpoint
-- The approval keeps its own time; "resolved" becomes when the agency posted the result it was approved for.
UPDATE `tickets` SET `approved_at` = `resolved_at` WHERE `resolved_at` IS NOT NULL AND `status` IN ('resolved', 'closed');
--> statement-breakpoint
UPDATE `tickets` SET `resolved_at` = COALESCE((SELECT MAX(`e`.`at`) FROM `ticket_events` `e` WHERE `e`.`ticket_id` = `tickets`.`id` AND `e`.`action` = 'post_result' AND `e`.`at` <= `tickets`.`approved_at`), `resolved_at`) WHERE `approved_at` IS NOT NULL;
--> statement-breakpoint
-- A result awaiting review: the agency's clock stopped when it was posted.
UPDATE `tickets` SET `resolved_at` = (SELECT MAX(`e`.`at`) FROM `ticket_events` `e` WHERE `e`.`ticket_id` = `tickets`.`id` AND `e`.`action` = 'post_result') WHERE `status` = 'pending_review';
