import { describe, expect, it } from 'vitest';
import { parseUnitLine } from './regions.js';

describe('parseUnitLine', () => {
  it('reads the entity and the unit, in any order and form', () => {
    expect(parseUnitLine('单位：广州市荔湾区政务服务数据管理局（本级） 单位：万元')).toEqual({ entity: '广州市荔湾区政务服务数据管理局（本级）', unit: '万元' });
    expect(parseUnitLine('单位名称：广州市统计局 单位：万元')).toEqual({ entity: '广州市统计局', unit: '万元' });
    expect(parseUnitLine('编制单位：上海市普陀区司法局 单位：元')).toEqual({ entity: '上海市普陀区司法局', unit: '元' });
    expect(parseUnitLine('部门：国家信访局 金额单位：万元')).toEqual({ entity: '国家信访局', unit: '万元' });
  });

  it('splits a running header printed as one run (单位：万元单位：清远市…)', () => {
    expect(parseUnitLine('单位：万元单位：清远市政务服务数据管理局本级')).toEqual({ entity: '清远市政务服务数据管理局本级', unit: '万元' });
  });

  it('is null for lines without a 单位 field', () => {
    expect(parseUnitLine('注：本表反映单位本年度取得的各项收入情况。')).toBeNull();
  });
});
