/* gnc_sgp4.c - near-Earth SGP4 and the TLE state in GCRF (see gnc_sgp4.h).
 *
 * The formulas and their order of operations are those of Vallado's public
 * SGP4 (sgp4init, initl and the near-Earth path of sgp4), so that the result
 * differs from the `sgp4` package only by its libm against the core's own
 * elementary functions. Names follow Vallado's code, for comparison. */
#include "gnc.h"
#include "gnc_constants.h"
#include "gnc_la.h"
#include "gnc_math.h"

/* WGS-72 (Vallado's getgravconst "wgs72", the `sgp4` package's default) */
#define WGS72_MU 398600.8          /* km^3/s^2 */
#define WGS72_RE 6378.135          /* km, equatorial radius (the unit of length) */
#define WGS72_J2 0.001082616
#define WGS72_J3 -0.00000253881
#define WGS72_J4 -0.00000165597

#define TWOPI (2.0 * GNC_PI)
#define X2O3 (2.0 / 3.0)
/* the divisor of xlcof for inclinations within 1.5e-12 of 180 deg */
#define TEMP4 1.5e-12
/* the deep-space limit: SDP4 from this period on (min) */
#define DEEP_SPACE_MIN 225.0

/* Vallado's error codes */
#define SGP4_OK 0
#define SGP4_ECC 1
#define SGP4_MEAN_MOTION 2
#define SGP4_SEMI_LATUS 4
#define SGP4_DECAYED 6

/* xke = sqrt(mu) in earth radii per minute (Vallado: 60 / sqrt(re^3 / mu)) */
static double wgs72_xke(void)
{
    return 60.0 / sqrt(WGS72_RE * WGS72_RE * WGS72_RE / WGS72_MU);
}

static int status_of(int code)
{
    switch (code) {
    case SGP4_OK:
        return GNC_OK;
    case SGP4_DECAYED:
        return GNC_ERR_RANGE;
    default:
        return GNC_ERR_DOMAIN;
    }
}

/* Vallado's sgp4, near-Earth path: TEME r (km), v (km/s) at t minutes from
 * the epoch; returns his error code (outputs written for 0 and 6 only). */
static int sgp4_eval(const gnc_sgp4 *s, double t, double r[3], double v[3])
{
    const double xke = wgs72_xke(), vkmpersec = WGS72_RE * xke / 60.0;
    double xmdf, argpdf, nodedf, argpm, mm, t2, nodem, tempa, tempe, templ;
    double nm, em, inclm, am, xlm, sinim, cosim, axnl, aynl, xl, u, eo1, tem5;
    double sineo1 = 0.0, coseo1 = 0.0, ecose, esine, el2, pl, rl, rdotl, rvdotl, betal;
    double temp, temp1, temp2, sinu, cosu, su, sin2u, cos2u, mrt, xnode, xinc, mvt, rvdot;
    double sinsu, cossu, snod, cnod, sini, cosi, xmx, xmy, ux, uy, uz, vx, vy, vz;
    int ktr;

    /* secular gravity and atmospheric drag */
    xmdf = s->mo + s->mdot * t;
    argpdf = s->argpo + s->argpdot * t;
    nodedf = s->nodeo + s->nodedot * t;
    argpm = argpdf;
    mm = xmdf;
    t2 = t * t;
    nodem = nodedf + s->nodecf * t2;
    tempa = 1.0 - s->cc1 * t;
    tempe = s->bstar * s->cc4 * t;
    templ = s->t2cof * t2;
    if (s->isimp != 1) {
        double delomg = s->omgcof * t, delmtemp = 1.0 + s->eta * gnc_cos(xmdf), delm, t3, t4;
        delm = s->xmcof * (delmtemp * delmtemp * delmtemp - s->delmo);
        temp = delomg + delm;
        mm = xmdf + temp;
        argpm = argpdf - temp;
        t3 = t2 * t;
        t4 = t3 * t;
        tempa = tempa - s->d2 * t2 - s->d3 * t3 - s->d4 * t4;
        tempe = tempe + s->bstar * s->cc5 * (gnc_sin(mm) - s->sinmao);
        templ = templ + s->t3cof * t3 + t4 * (s->t4cof + t * s->t5cof);
    }
    nm = s->no_unkozai;
    em = s->ecco;
    inclm = s->inclo;
    if (nm <= 0.0) {
        return SGP4_MEAN_MOTION;
    }
    am = gnc_pow(xke / nm, X2O3) * tempa * tempa;
    nm = xke / gnc_pow(am, 1.5);
    em = em - tempe;
    if (em >= 1.0 || em < -0.001) {
        return SGP4_ECC;
    }
    if (em < 1.0e-6) {
        em = 1.0e-6;
    }
    mm = mm + s->no_unkozai * templ;
    xlm = mm + argpm + nodem;
    nodem = gnc_fmod(nodem, TWOPI);
    argpm = gnc_fmod(argpm, TWOPI);
    xlm = gnc_fmod(xlm, TWOPI);
    mm = gnc_fmod(xlm - argpm - nodem, TWOPI);
    gnc_sincos(inclm, &sinim, &cosim);

    /* long-period periodics (ep, xincp, argpp, nodep, mp = em, inclm, ...) */
    axnl = em * gnc_cos(argpm);
    temp = 1.0 / (am * (1.0 - em * em));
    aynl = em * gnc_sin(argpm) + temp * s->aycof;
    xl = mm + argpm + nodem + temp * s->xlcof * axnl;

    /* Kepler's equation in the (axnl, aynl) variables */
    u = gnc_fmod(xl - nodem, TWOPI);
    eo1 = u;
    tem5 = 9999.9;
    ktr = 1;
    while (fabs(tem5) >= 1.0e-12 && ktr <= 10) {
        gnc_sincos(eo1, &sineo1, &coseo1);
        tem5 = 1.0 - coseo1 * axnl - sineo1 * aynl;
        tem5 = (u - aynl * coseo1 + axnl * sineo1 - eo1) / tem5;
        if (fabs(tem5) >= 0.95) {
            tem5 = tem5 > 0.0 ? 0.95 : -0.95;
        }
        eo1 = eo1 + tem5;
        ktr = ktr + 1;
    }

    /* short-period periodics */
    ecose = axnl * coseo1 + aynl * sineo1;
    esine = axnl * sineo1 - aynl * coseo1;
    el2 = axnl * axnl + aynl * aynl;
    pl = am * (1.0 - el2);
    if (pl < 0.0) {
        return SGP4_SEMI_LATUS;
    }
    rl = am * (1.0 - ecose);
    rdotl = sqrt(am) * esine / rl;
    rvdotl = sqrt(pl) / rl;
    betal = sqrt(1.0 - el2);
    temp = esine / (1.0 + betal);
    sinu = am / rl * (sineo1 - aynl - axnl * temp);
    cosu = am / rl * (coseo1 - axnl + aynl * temp);
    su = gnc_atan2(sinu, cosu);
    sin2u = (cosu + cosu) * sinu;
    cos2u = 1.0 - 2.0 * sinu * sinu;
    temp = 1.0 / pl;
    temp1 = 0.5 * WGS72_J2 * temp;
    temp2 = temp1 * temp;
    mrt = rl * (1.0 - 1.5 * temp2 * betal * s->con41) + 0.5 * temp1 * s->x1mth2 * cos2u;
    su = su - 0.25 * temp2 * s->x7thm1 * sin2u;
    xnode = nodem + 1.5 * temp2 * cosim * sin2u;
    xinc = inclm + 1.5 * temp2 * cosim * sinim * cos2u;
    mvt = rdotl - nm * temp1 * s->x1mth2 * sin2u / xke;
    rvdot = rvdotl + nm * temp1 * (s->x1mth2 * cos2u + 1.5 * s->con41) / xke;

    /* orientation vectors */
    gnc_sincos(su, &sinsu, &cossu);
    gnc_sincos(xnode, &snod, &cnod);
    gnc_sincos(xinc, &sini, &cosi);
    xmx = -snod * cosi;
    xmy = cnod * cosi;
    ux = xmx * sinsu + cnod * cossu;
    uy = xmy * sinsu + snod * cossu;
    uz = sini * sinsu;
    vx = xmx * cossu - cnod * sinsu;
    vy = xmy * cossu - snod * sinsu;
    vz = sini * cossu;
    r[0] = (mrt * ux) * WGS72_RE;
    r[1] = (mrt * uy) * WGS72_RE;
    r[2] = (mrt * uz) * WGS72_RE;
    v[0] = (mvt * ux + rvdot * vx) * vkmpersec;
    v[1] = (mvt * uy + rvdot * vy) * vkmpersec;
    v[2] = (mvt * uz + rvdot * vz) * vkmpersec;
    return mrt < 1.0 ? SGP4_DECAYED : SGP4_OK;
}

int gnc_sgp4_init(gnc_sgp4 *s, const gnc_sgp4_elements *el)
{
    const double deg2rad = GNC_PI / 180.0, xpdotp = 1440.0 / (2.0 * GNC_PI);
    const double xke = wgs72_xke(), j3oj2 = WGS72_J3 / WGS72_J2;
    gnc_sgp4 z = {0};
    double in[9], r[3], v[3];
    double ss, qzms2ttemp, qzms2t, eccsq, omeosq, rteosq, cosio, sinio, cosio2, ak, d1, del;
    double adel, ao, po, con42, posq, rp, sfour, qzms24, perige, pinvsq, tsi, etasq, eeta;
    double psisq, coef, coef1, cc2, cc3, cosio4, temp1, temp2, temp3, xhdot1, delmotemp;
    int code;
    if (s == NULL || el == NULL) {
        return GNC_ERR_NULL;
    }
    s->initialised = 0;
    s->error = SGP4_OK;
    in[0] = el->epoch_jd;
    in[1] = el->epoch_jd_frac;
    in[2] = el->n_rev_day;
    in[3] = el->ecc;
    in[4] = el->incl_deg;
    in[5] = el->raan_deg;
    in[6] = el->argp_deg;
    in[7] = el->mean_anomaly_deg;
    in[8] = el->bstar;
    if (!la_finite(in, 9) || !(el->n_rev_day > 0.0) || !(el->ecc >= 0.0)
        || !(el->ecc < 1.0)) {
        return GNC_ERR_DOMAIN;
    }
    /* the elements in SGP4's units (as twoline2rv converts them) */
    z.epoch_jd = el->epoch_jd;
    z.epoch_jd_frac = el->epoch_jd_frac;
    z.bstar = el->bstar;
    z.ecco = el->ecc;
    z.inclo = el->incl_deg * deg2rad;
    z.nodeo = el->raan_deg * deg2rad;
    z.argpo = el->argp_deg * deg2rad;
    z.mo = el->mean_anomaly_deg * deg2rad;
    z.no_kozai = el->n_rev_day / xpdotp;

    ss = 78.0 / WGS72_RE + 1.0;
    qzms2ttemp = (120.0 - 78.0) / WGS72_RE;
    qzms2t = qzms2ttemp * qzms2ttemp * qzms2ttemp * qzms2ttemp;

    /* initl: un-Kozai the mean motion */
    eccsq = z.ecco * z.ecco;
    omeosq = 1.0 - eccsq;
    rteosq = sqrt(omeosq);
    gnc_sincos(z.inclo, &sinio, &cosio);
    cosio2 = cosio * cosio;
    ak = gnc_pow(xke / z.no_kozai, X2O3);
    d1 = 0.75 * WGS72_J2 * (3.0 * cosio2 - 1.0) / (rteosq * omeosq);
    del = d1 / (ak * ak);
    adel = ak * (1.0 - del * del - del * (1.0 / 3.0 + 134.0 * del * del / 81.0));
    del = d1 / (adel * adel);
    z.no_unkozai = z.no_kozai / (1.0 + del);
    if (TWOPI / z.no_unkozai >= DEEP_SPACE_MIN) {
        return GNC_ERR_DOMAIN; /* deep space: SDP4, not provided */
    }
    ao = gnc_pow(xke / z.no_unkozai, X2O3);
    po = ao * omeosq;
    con42 = 1.0 - 5.0 * cosio2;
    z.con41 = -con42 - cosio2 - cosio2;
    posq = po * po;
    rp = ao * (1.0 - z.ecco);

    /* sgp4init, near-Earth */
    z.isimp = rp < 220.0 / WGS72_RE + 1.0 ? 1 : 0;
    sfour = ss;
    qzms24 = qzms2t;
    perige = (rp - 1.0) * WGS72_RE;
    if (perige < 156.0) {
        double qzms24temp;
        sfour = perige - 78.0;
        if (perige < 98.0) {
            sfour = 20.0;
        }
        qzms24temp = (120.0 - sfour) / WGS72_RE;
        qzms24 = qzms24temp * qzms24temp * qzms24temp * qzms24temp;
        sfour = sfour / WGS72_RE + 1.0;
    }
    pinvsq = 1.0 / posq;
    tsi = 1.0 / (ao - sfour);
    z.eta = ao * z.ecco * tsi;
    etasq = z.eta * z.eta;
    eeta = z.ecco * z.eta;
    psisq = fabs(1.0 - etasq);
    coef = qzms24 * gnc_pow(tsi, 4.0);
    coef1 = coef / gnc_pow(psisq, 3.5);
    cc2 = coef1 * z.no_unkozai
          * (ao * (1.0 + 1.5 * etasq + eeta * (4.0 + etasq))
             + 0.375 * WGS72_J2 * tsi / psisq * z.con41 * (8.0 + 3.0 * etasq * (8.0 + etasq)));
    z.cc1 = z.bstar * cc2;
    cc3 = 0.0;
    if (z.ecco > 1.0e-4) {
        cc3 = -2.0 * coef * tsi * j3oj2 * z.no_unkozai * sinio / z.ecco;
    }
    z.x1mth2 = 1.0 - cosio2;
    z.cc4 = 2.0 * z.no_unkozai * coef1 * ao * omeosq
            * (z.eta * (2.0 + 0.5 * etasq) + z.ecco * (0.5 + 2.0 * etasq)
               - WGS72_J2 * tsi / (ao * psisq)
                     * (-3.0 * z.con41 * (1.0 - 2.0 * eeta + etasq * (1.5 - 0.5 * eeta))
                        + 0.75 * z.x1mth2 * (2.0 * etasq - eeta * (1.0 + etasq))
                              * gnc_cos(2.0 * z.argpo)));
    z.cc5 = 2.0 * coef1 * ao * omeosq * (1.0 + 2.75 * (etasq + eeta) + eeta * etasq);
    cosio4 = cosio2 * cosio2;
    temp1 = 1.5 * WGS72_J2 * pinvsq * z.no_unkozai;
    temp2 = 0.5 * temp1 * WGS72_J2 * pinvsq;
    temp3 = -0.46875 * WGS72_J4 * pinvsq * pinvsq * z.no_unkozai;
    z.mdot = z.no_unkozai + 0.5 * temp1 * rteosq * z.con41
             + 0.0625 * temp2 * rteosq * (13.0 - 78.0 * cosio2 + 137.0 * cosio4);
    z.argpdot = (-0.5 * temp1 * con42 + 0.0625 * temp2 * (7.0 - 114.0 * cosio2 + 395.0 * cosio4)
                 + temp3 * (3.0 - 36.0 * cosio2 + 49.0 * cosio4));
    xhdot1 = -temp1 * cosio;
    z.nodedot = xhdot1 + (0.5 * temp2 * (4.0 - 19.0 * cosio2) + 2.0 * temp3 * (3.0 - 7.0 * cosio2))
                             * cosio;
    z.omgcof = z.bstar * cc3 * gnc_cos(z.argpo);
    z.xmcof = 0.0;
    if (z.ecco > 1.0e-4) {
        z.xmcof = -X2O3 * coef * z.bstar / eeta;
    }
    z.nodecf = 3.5 * omeosq * xhdot1 * z.cc1;
    z.t2cof = 1.5 * z.cc1;
    if (fabs(cosio + 1.0) > TEMP4) {
        z.xlcof = -0.25 * j3oj2 * sinio * (3.0 + 5.0 * cosio) / (1.0 + cosio);
    } else {
        z.xlcof = -0.25 * j3oj2 * sinio * (3.0 + 5.0 * cosio) / TEMP4;
    }
    z.aycof = -0.5 * j3oj2 * sinio;
    delmotemp = 1.0 + z.eta * gnc_cos(z.mo);
    z.delmo = delmotemp * delmotemp * delmotemp;
    z.sinmao = gnc_sin(z.mo);
    z.x7thm1 = 7.0 * cosio2 - 1.0;
    if (z.isimp != 1) {
        double cc1sq = z.cc1 * z.cc1, temp;
        z.d2 = 4.0 * ao * tsi * cc1sq;
        temp = z.d2 * tsi * z.cc1 / 3.0;
        z.d3 = (17.0 * ao + sfour) * temp;
        z.d4 = 0.5 * temp * ao * tsi * (221.0 * ao + 31.0 * sfour) * z.cc1;
        z.t3cof = z.d2 + 2.0 * cc1sq;
        z.t4cof = 0.25 * (3.0 * z.d3 + z.cc1 * (12.0 * z.d2 + 10.0 * cc1sq));
        z.t5cof = 0.2 * (3.0 * z.d4 + 12.0 * z.cc1 * z.d3 + 6.0 * z.d2 * z.d2
                         + 15.0 * cc1sq * (2.0 * z.d2 + cc1sq));
    }
    /* sgp4init ends with an evaluation at the epoch: its error refuses the set */
    code = sgp4_eval(&z, 0.0, r, v);
    z.error = code;
    z.initialised = code == SGP4_OK ? 1 : 0;
    *s = z;
    return status_of(code);
}

int gnc_sgp4_teme(const gnc_sgp4 *s, double tsince_min, double r_km[3], double v_kms[3])
{
    double r[3], v[3];
    int code;
    if (s == NULL || r_km == NULL || v_kms == NULL) {
        return GNC_ERR_NULL;
    }
    if (s->initialised != 1) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(&tsince_min, 1)) {
        return GNC_ERR_DOMAIN;
    }
    code = sgp4_eval(s, tsince_min, r, v);
    if (code == SGP4_OK || code == SGP4_DECAYED) {
        la_copy(r, r_km, 3);
        la_copy(v, v_kms, 3);
    }
    return status_of(code);
}

int gnc_sgp4_code(const gnc_sgp4 *s, double tsince_min, int *code)
{
    double r[3], v[3];
    if (s == NULL || code == NULL) {
        return GNC_ERR_NULL;
    }
    if (s->initialised != 1) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(&tsince_min, 1)) {
        return GNC_ERR_DOMAIN;
    }
    *code = sgp4_eval(s, tsince_min, r, v);
    return GNC_OK;
}

int gnc_tle_tsince(const gnc_sgp4 *s, double t_tai, double tai_minus_utc, double *tsince_min)
{
    double days, whole, jd, fr;
    if (s == NULL || tsince_min == NULL) {
        return GNC_ERR_NULL;
    }
    if (s->initialised != 1) {
        return GNC_ERR_STATE;
    }
    if (!la_finite(&t_tai, 1) || !la_finite(&tai_minus_utc, 1)) {
        return GNC_ERR_DOMAIN;
    }
    days = (t_tai - tai_minus_utc) / GNC_DAY_S; /* UTC days since 1958-01-01 */
    whole = gnc_floor(days);
    jd = GNC_JD_TAI_EPOCH + whole;
    fr = days - whole;
    *tsince_min = (jd - s->epoch_jd) * 1440.0 + (fr - s->epoch_jd_frac) * 1440.0;
    return GNC_OK;
}

int gnc_tle_gcrf(const gnc_sgp4 *s, double t_tai, double tai_minus_utc, double r_m[3],
                 double v_m_s[3])
{
    double tsince, r[3], v[3], P[9];
    int st;
    if (r_m == NULL || v_m_s == NULL) {
        return GNC_ERR_NULL;
    }
    st = gnc_tle_tsince(s, t_tai, tai_minus_utc, &tsince);
    if (st != GNC_OK) {
        return st;
    }
    st = gnc_sgp4_teme(s, tsince, r, v);
    if (st != GNC_OK && st != GNC_ERR_RANGE) {
        return st;
    }
    gnc_precession_iau1976(t_tai, P);
    /* GCRF = P^T TEME (TEME taken as the mean equator and equinox of date) */
    la_mtv3(P, r, r);
    la_mtv3(P, v, v);
    la_scale(r, 1000.0, r_m);
    la_scale(v, 1000.0, v_m_s);
    return st;
}
