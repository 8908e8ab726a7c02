import { Data, T_DATA } from '../alertmanager/data';
import { GoType, T_SLICE_STRING, typedSlice } from '../engine/values';

/**
 * What prometheus-webhook-dingtalk executes its templates with: Alertmanager's data plus
 * `.AtMobiles`, the target's `mention.mobiles` (its default template writes `@mobile` for each).
 * The other fields stay the relay's, a superset of the tool's.
 */
export class DingtalkToolData extends Data {
  readonly AtMobiles: string[];
  constructor(base: Data, atMobiles: readonly string[]) {
    super(base.Receiver, base.Status, base.Alerts, base.GroupLabels, base.CommonLabels, base.CommonAnnotations, base.ExternalURL, base.NotificationReason, base.RouteLabels);
    this.AtMobiles = typedSlice([...atMobiles], T_SLICE_STRING);
  }
  override goField(name: string): unknown {
    return name === 'AtMobiles' ? this.AtMobiles : super.goField(name);
  }
}

// json names pair with fields by position; the unexported routeLabelsRendered is never written.
const T_TOOL_DATA: GoType = {
  ...T_DATA,
  name: 'models.Data',
  fields: [...(T_DATA.fields ?? []), 'AtMobiles'],
  json: [...((T_DATA.json as readonly string[]) ?? []), 'routeLabelsRendered', 'AtMobiles'],
};
Object.defineProperty(DingtalkToolData.prototype, 'goType', { value: T_TOOL_DATA });
