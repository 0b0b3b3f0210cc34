import type { Provider, Type } from '@nestjs/common';
import { ConsoleModels } from './console-models.js';
import { ModelsController } from './models.controller.js';

/** The Models view's controllers and providers. */
export const modelsModule: { controllers: Type<unknown>[]; providers: Provider[] } = { controllers: [ModelsController], providers: [ConsoleModels] };
