/*
 * sim_packets.h - GENERATED from the packet dictionary (fsw/packets/defs/avionics.py,
 * truth.py, actuators.py) by `python -m hil.sim.packet_layout`. Do not edit.
 * Layouts of the packets the simulation core builds (and of the actuator
 * commands it reads): CCSDS primary header,
 * CUC 4+2 time, the fields in table order (float64 big-endian or one
 * unsigned octet per element), CRC-16. A packet's values are doubles in
 * field order; SIM_<PACKET>_<FIELD> is a field's first index among them.
 */
#ifndef SIM_PACKETS_H
#define SIM_PACKETS_H

enum sim_pkt_kind { SIM_PKT_F64 = 0, SIM_PKT_U8 = 1 };

typedef struct sim_pkt_field {
    unsigned char kind;
    unsigned char count;
} sim_pkt_field;

enum { SIM_PKT_MAX_FIELDS = 11 };

/* no pointers: the table is constant data (.rodata), not relocated */
typedef struct sim_pkt_layout {
    unsigned short apid;
    unsigned short length;  /* octets of the whole packet */
    unsigned char n_fields;
    unsigned char n_values;
    sim_pkt_field fields[SIM_PKT_MAX_FIELDS];
} sim_pkt_layout;

enum sim_pkt_id {
    SIM_PKT_GYRO = 0,
    SIM_PKT_STAR_TRACKER = 1,
    SIM_PKT_SUN_SENSOR = 2,
    SIM_PKT_MAGNETOMETER = 3,
    SIM_PKT_GPS = 4,
    SIM_PKT_RELNAV = 5,
    SIM_PKT_WHEEL_TACH = 6,
    SIM_PKT_PROP_STATUS = 7,
    SIM_PKT_ACCEL = 8,
    SIM_PKT_EPS = 9,
    SIM_PKT_TRUTH_CHASER = 10,
    SIM_PKT_TRUTH_TARGET = 11,
    SIM_PKT_TRUTH_RELATIVE = 12,
    SIM_PKT_TRUTH_FAULT = 13,
    SIM_PKT_TRUTH_ADCS = 14,
    SIM_PKT_TRUTH_CLOCK = 15,
    SIM_PKT_COUNT = 16
};

enum sim_pkt_index {
    SIM_GYRO_RATE_B = 0,
    SIM_GYRO_VALID = 3,
    SIM_GYRO_N = 4,
    SIM_STAR_TRACKER_Q_BN = 0,
    SIM_STAR_TRACKER_VALID = 4,
    SIM_STAR_TRACKER_HEAD = 5,
    SIM_STAR_TRACKER_N = 6,
    SIM_SUN_SENSOR_SUN_B = 0,
    SIM_SUN_SENSOR_VALID = 3,
    SIM_SUN_SENSOR_N = 4,
    SIM_MAGNETOMETER_B_B = 0,
    SIM_MAGNETOMETER_VALID = 3,
    SIM_MAGNETOMETER_N = 4,
    SIM_GPS_R_N = 0,
    SIM_GPS_V_N = 3,
    SIM_GPS_VALID = 6,
    SIM_GPS_OBC_TIME = 7,
    SIM_GPS_GPS_TIME = 8,
    SIM_GPS_N = 9,
    SIM_RELNAV_RANGE = 0,
    SIM_RELNAV_AZIMUTH = 1,
    SIM_RELNAV_ELEVATION = 2,
    SIM_RELNAV_VALID = 3,
    SIM_RELNAV_RANGED = 4,
    SIM_RELNAV_N = 5,
    SIM_WHEEL_TACH_SPEED = 0,
    SIM_WHEEL_TACH_N = 4,
    SIM_PROP_STATUS_TANK_PRESSURE = 0,
    SIM_PROP_STATUS_PROPELLANT_MASS = 1,
    SIM_PROP_STATUS_N = 2,
    SIM_ACCEL_DV_B = 0,
    SIM_ACCEL_DT = 3,
    SIM_ACCEL_VALID = 4,
    SIM_ACCEL_N = 5,
    SIM_EPS_SOC = 0,
    SIM_EPS_ARRAY_POWER = 1,
    SIM_EPS_LOAD_POWER = 2,
    SIM_EPS_N = 3,
    SIM_TRUTH_CHASER_R_N = 0,
    SIM_TRUTH_CHASER_V_N = 3,
    SIM_TRUTH_CHASER_Q_BN = 6,
    SIM_TRUTH_CHASER_W_B = 10,
    SIM_TRUTH_CHASER_WHEEL_SPEED = 13,
    SIM_TRUTH_CHASER_MASS = 17,
    SIM_TRUTH_CHASER_PROPELLANT_MASS = 18,
    SIM_TRUTH_CHASER_TANK_PRESSURE = 19,
    SIM_TRUTH_CHASER_ECLIPSE = 20,
    SIM_TRUTH_CHASER_BATTERY_SOC = 21,
    SIM_TRUTH_CHASER_ARRAY_POWER = 22,
    SIM_TRUTH_CHASER_N = 23,
    SIM_TRUTH_TARGET_R_N = 0,
    SIM_TRUTH_TARGET_V_N = 3,
    SIM_TRUTH_TARGET_N = 6,
    SIM_TRUTH_RELATIVE_R_H = 0,
    SIM_TRUTH_RELATIVE_V_H = 3,
    SIM_TRUTH_RELATIVE_RANGE = 6,
    SIM_TRUTH_RELATIVE_N = 7,
    SIM_TRUTH_FAULT_KIND = 0,
    SIM_TRUTH_FAULT_INDEX = 1,
    SIM_TRUTH_FAULT_SENSOR = 2,
    SIM_TRUTH_FAULT_STARTED = 3,
    SIM_TRUTH_FAULT_N = 4,
    SIM_TRUTH_ADCS_SUN_B = 0,
    SIM_TRUTH_ADCS_MOON_B = 3,
    SIM_TRUTH_ADCS_N = 6,
    SIM_TRUTH_CLOCK_OFFSET = 0,
    SIM_TRUTH_CLOCK_FREQ = 1,
    SIM_TRUTH_CLOCK_N = 2,
    SIM_PKT_MAX_VALUES = 23
};

enum { SIM_PKT_MAX_LENGTH = 191 };

static const sim_pkt_layout sim_pkt_layouts[SIM_PKT_COUNT] = {
    {0x100, 39, 2, 4, {{SIM_PKT_F64, 3}, {SIM_PKT_U8, 1}}},
    {0x101, 48, 3, 6, {{SIM_PKT_F64, 4}, {SIM_PKT_U8, 1}, {SIM_PKT_U8, 1}}},
    {0x102, 39, 2, 4, {{SIM_PKT_F64, 3}, {SIM_PKT_U8, 1}}},
    {0x103, 39, 2, 4, {{SIM_PKT_F64, 3}, {SIM_PKT_U8, 1}}},
    {0x104, 79, 5, 9, {{SIM_PKT_F64, 3}, {SIM_PKT_F64, 3}, {SIM_PKT_U8, 1}, {SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}}},
    {0x105, 40, 5, 5, {{SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}, {SIM_PKT_U8, 1}, {SIM_PKT_U8, 1}}},
    {0x106, 46, 1, 4, {{SIM_PKT_F64, 4}}},
    {0x107, 30, 2, 2, {{SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}}},
    {0x108, 47, 3, 5, {{SIM_PKT_F64, 3}, {SIM_PKT_F64, 1}, {SIM_PKT_U8, 1}}},
    {0x109, 38, 3, 3, {{SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}}},
    {0x400, 191, 11, 23, {{SIM_PKT_F64, 3}, {SIM_PKT_F64, 3}, {SIM_PKT_F64, 4}, {SIM_PKT_F64, 3}, {SIM_PKT_F64, 4}, {SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}, {SIM_PKT_U8, 1}, {SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}}},
    {0x401, 62, 2, 6, {{SIM_PKT_F64, 3}, {SIM_PKT_F64, 3}}},
    {0x402, 70, 3, 7, {{SIM_PKT_F64, 3}, {SIM_PKT_F64, 3}, {SIM_PKT_F64, 1}}},
    {0x403, 18, 4, 4, {{SIM_PKT_U8, 1}, {SIM_PKT_U8, 1}, {SIM_PKT_U8, 1}, {SIM_PKT_U8, 1}}},
    {0x408, 62, 2, 6, {{SIM_PKT_F64, 3}, {SIM_PKT_F64, 3}}},
    {0x409, 30, 2, 2, {{SIM_PKT_F64, 1}, {SIM_PKT_F64, 1}}},
};

/* the actuator command packets the core reads (sim_command_read) */
enum sim_cmd_id {
    SIM_CMD_WHEEL_CMD = 0,
    SIM_CMD_MTQ_CMD = 1,
    SIM_CMD_THRUSTER_CMD = 2,
    SIM_CMD_COUNT = 3
};

enum sim_cmd_index {
    SIM_WHEEL_CMD_TORQUE = 0,
    SIM_WHEEL_CMD_N = 4,
    SIM_MTQ_CMD_DIPOLE_B = 0,
    SIM_MTQ_CMD_N = 3,
    SIM_THRUSTER_CMD_ON_TIME = 0,
    SIM_THRUSTER_CMD_N = 16,
    SIM_CMD_MAX_VALUES = 16
};

enum { SIM_CMD_MAX_LENGTH = 142 };

static const sim_pkt_layout sim_cmd_layouts[SIM_CMD_COUNT] = {
    {0x180, 46, 1, 4, {{SIM_PKT_F64, 4}}},
    {0x181, 38, 1, 3, {{SIM_PKT_F64, 3}}},
    {0x182, 142, 1, 16, {{SIM_PKT_F64, 16}}},
};

#endif /* SIM_PACKETS_H */
