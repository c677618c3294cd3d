//! The emulator's model as the views read it — courses (with roster, links, line items and
//! deep-linked items), users and tools — re-read live when the engine reports an emulator change.

import { useCallback } from 'react';
import type { ApiError, CourseView, EmulatorTool, EmulatorUser } from '../bindings';
import { useReloadOnStatusChange, useRpc } from '../shared/useRpc';
import { useEmulatorLive } from './live';

export interface EmulatorData {
  courses: CourseView[] | undefined;
  users: EmulatorUser[] | undefined;
  tools: EmulatorTool[] | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

export function useEmulatorData(): EmulatorData {
  const courses = useRpc('list_emulator_courses', {});
  const users = useRpc('list_emulator_users', {});
  const tools = useRpc('list_emulator_tools', {});
  const { reload: rc } = courses;
  const { reload: ru } = users;
  const { reload: rt } = tools;
  const reload = useCallback(() => {
    rc();
    ru();
    rt();
  }, [rc, ru, rt]);
  useEmulatorLive(reload);
  useReloadOnStatusChange(reload);
  return {
    courses: courses.data,
    users: users.data,
    tools: tools.data,
    error: courses.error ?? users.error ?? tools.error,
    loading: (courses.loading && !courses.data) || (users.loading && !users.data) || (tools.loading && !tools.data),
    reload,
  };
}

/** The course a view shows: the one asked for when it exists, else the first. */
export function pickCourse(courses: readonly CourseView[] | undefined, id: string | undefined): CourseView | undefined {
  if (!courses || courses.length === 0) return undefined;
  return courses.find((c) => c.course.id === id) ?? courses[0];
}
