ALTER TABLE `callbacks` ADD `closed_by_call_id` text REFERENCES calls(id);--> statement-breakpoint
-- Numbers with several open tasks (allowed before this rule): the oldest task takes over the
-- others' requests, their earliest place in the list and a message only they hold.
UPDATE `callbacks` SET
  `abandons` = (SELECT sum(o.`abandons`) FROM `callbacks` o WHERE o.`caller_number` = `callbacks`.`caller_number` AND o.`status` = 'open'),
  `waiting_since` = (SELECT min(o.`waiting_since`) FROM `callbacks` o WHERE o.`caller_number` = `callbacks`.`caller_number` AND o.`status` = 'open'),
  `recording_call_id` = coalesce(`recording_call_id`, (SELECT o.`recording_call_id` FROM `callbacks` o WHERE o.`caller_number` = `callbacks`.`caller_number` AND o.`status` = 'open' AND o.`recording` IS NOT NULL ORDER BY o.`id` DESC LIMIT 1)),
  `recording` = coalesce(`recording`, (SELECT o.`recording` FROM `callbacks` o WHERE o.`caller_number` = `callbacks`.`caller_number` AND o.`status` = 'open' AND o.`recording` IS NOT NULL ORDER BY o.`id` DESC LIMIT 1))
WHERE `status` = 'open' AND `id` IN (SELECT min(`id`) FROM `callbacks` WHERE `status` = 'open' GROUP BY `caller_number` HAVING count(*) > 1);--> statement-breakpoint
UPDATE `callbacks` SET `status` = 'given_up', `given_up_reason` = 'merged', `closed_at` = strftime('%s', 'now') * 1000,
  `claimed_by` = NULL, `claimed_until` = NULL, `next_attempt_at` = NULL
WHERE `status` = 'open' AND `id` NOT IN (SELECT min(`id`) FROM `callbacks` WHERE `status` = 'open' GROUP BY `caller_number`);--> statement-breakpoint
CREATE UNIQUE INDEX `callbacks_one_open_per_number_idx` ON `callbacks` (`caller_number`) WHERE status = 'open';
