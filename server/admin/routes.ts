/**
 * POST /api/admin/ivr/reload (admins): reads the IVR menu file again. A valid file applies to
 * calls that start afterwards (200); an invalid one is rejected with the reasons, naming each bad
 * field, and the current menu stays (400 `IVR_MENU_INVALID`).
 */
import type { FastifyInstance } from 'fastify';
import type { IvrMenuReloaded } from '../../common/api.ts';
import type { MenuReloadResult } from '../../ivr/menu-file.ts';
import { requireRole } from '../auth/guard.ts';
import { AppError } from '../errors.ts';

export class IvrMenuInvalidError extends AppError {
  constructor(errors: string[]) {
    super('IVR_MENU_INVALID', 400, `Tệp menu IVR không hợp lệ, vẫn dùng menu cũ: ${errors.join('; ')}`);
  }
}

export interface IvrMenuReloader {
  reload(): Promise<MenuReloadResult>;
}

export async function adminRoutes(app: FastifyInstance, deps: { ivrMenu: IvrMenuReloader }): Promise<void> {
  app.post(
    '/api/admin/ivr/reload',
    { onRequest: requireRole('admin') },
    async (): Promise<{ data: IvrMenuReloaded }> => {
      const result = await deps.ivrMenu.reload();
      if (!result.ok) throw new IvrMenuInvalidError(result.errors);
      return { data: { applied: true } };
    },
  );
}
