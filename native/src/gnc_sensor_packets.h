/*
 * gnc_sensor_packets.h - GENERATED from the packet dictionary (fsw/packets/defs/avionics.py)
 * by `python -m fsw.core.packet_layout`. Do not edit.
 * The sensor packets the ADCS reads (gnc_adcs_sensors_read) and the
 * propulsion task's ACCEL (gnc_prop_sensors_read): per packet its
 * APID, first header word (version 0, telemetry, secondary header, APID), whole
 * length in octets, and for each field read its octet offset in the packet
 * and element count (_N); float64 fields big-endian, flags one octet.
 */
#ifndef GNC_SENSOR_PACKETS_H
#define GNC_SENSOR_PACKETS_H

enum {
    GNC_GYRO_APID = 0x100,
    GNC_GYRO_WORD0 = 0x0900,
    GNC_GYRO_LEN = 39,
    GNC_GYRO_RATE_B = 12,
    GNC_GYRO_RATE_B_N = 3,
    GNC_GYRO_VALID = 36,
    GNC_GYRO_VALID_N = 1,
    GNC_STAR_TRACKER_APID = 0x101,
    GNC_STAR_TRACKER_WORD0 = 0x0901,
    GNC_STAR_TRACKER_LEN = 48,
    GNC_STAR_TRACKER_Q_BN = 12,
    GNC_STAR_TRACKER_Q_BN_N = 4,
    GNC_STAR_TRACKER_VALID = 44,
    GNC_STAR_TRACKER_VALID_N = 1,
    GNC_STAR_TRACKER_HEAD = 45,
    GNC_STAR_TRACKER_HEAD_N = 1,
    GNC_SUN_SENSOR_APID = 0x102,
    GNC_SUN_SENSOR_WORD0 = 0x0902,
    GNC_SUN_SENSOR_LEN = 39,
    GNC_SUN_SENSOR_SUN_B = 12,
    GNC_SUN_SENSOR_SUN_B_N = 3,
    GNC_SUN_SENSOR_VALID = 36,
    GNC_SUN_SENSOR_VALID_N = 1,
    GNC_MAGNETOMETER_APID = 0x103,
    GNC_MAGNETOMETER_WORD0 = 0x0903,
    GNC_MAGNETOMETER_LEN = 39,
    GNC_MAGNETOMETER_B_B = 12,
    GNC_MAGNETOMETER_B_B_N = 3,
    GNC_MAGNETOMETER_VALID = 36,
    GNC_MAGNETOMETER_VALID_N = 1,
    GNC_GPS_APID = 0x104,
    GNC_GPS_WORD0 = 0x0904,
    GNC_GPS_LEN = 79,
    GNC_GPS_R_N = 12,
    GNC_GPS_R_N_N = 3,
    GNC_GPS_VALID = 60,
    GNC_GPS_VALID_N = 1,
    GNC_WHEEL_TACH_APID = 0x106,
    GNC_WHEEL_TACH_WORD0 = 0x0906,
    GNC_WHEEL_TACH_LEN = 46,
    GNC_WHEEL_TACH_SPEED = 12,
    GNC_WHEEL_TACH_SPEED_N = 4,
    GNC_ACCEL_APID = 0x108,
    GNC_ACCEL_WORD0 = 0x0908,
    GNC_ACCEL_LEN = 47,
    GNC_ACCEL_DV_B = 12,
    GNC_ACCEL_DV_B_N = 3,
    GNC_ACCEL_DT = 36,
    GNC_ACCEL_DT_N = 1,
    GNC_ACCEL_VALID = 44,
    GNC_ACCEL_VALID_N = 1
};

#endif /* GNC_SENSOR_PACKETS_H */
